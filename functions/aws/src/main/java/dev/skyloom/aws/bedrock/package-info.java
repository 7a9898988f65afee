/**
 * The Bedrock adapter of the model port: {@code BedrockModelClient} calls Converse (sync, url-connection) or
 * ConverseStream (async, Netty) and maps messages, tools, stop reasons, usage and errors both ways; and the
 * embeddings port: {@code BedrockEmbeddings} calls InvokeModel of Titan Text Embeddings V2 for semantic memory recall.
 */
package dev.skyloom.aws.bedrock;
