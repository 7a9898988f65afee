/**
 * The local model server: Bedrock's Converse and ConverseStream APIs on the edge, answered by scripted scenarios
 * ({@code <data-dir>/models/*.yaml}) or, for any other model id, by a deterministic default model; and InvokeModel
 * for embedding models (Titan Text Embeddings V2/G1, Cohere Embed v3) with deterministic vectors
 * ({@code LocalEmbeddings}). Any Bedrock client (SDK v2, boto3, the JS SDK) can call it; decision record
 * {@code docs/decisions/0400}.
 */
package dev.skyloom.local.cloud.bedrock;
