/**
 * The Bedrock adapter of the model port: {@code BedrockModelClient} calls Converse (sync, url-connection) or
 * ConverseStream (async, Netty) and maps messages, tools, stop reasons, usage and errors both ways.
 */
package dev.skyloom.aws.bedrock;
