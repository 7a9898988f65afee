/**
 * Adapters of the agent runtime's tool ports: the run workspace on S3, memory on the main table, SSRF-safe HTTP
 * with Apache HttpClient 5, and tools of remote MCP servers.
 */
package dev.skyloom.aws.agent;
