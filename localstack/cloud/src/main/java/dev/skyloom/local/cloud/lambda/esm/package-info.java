/**
 * Lambda event source mappings for SQS queues, run by the local cloud: pollers that long-poll a queue through the
 * SDK, invoke the local Lambda with batches in the shape Lambda sends, and delete only what succeeded (honouring
 * partial batch responses). The mappings come from the resource manifest at every start; the messages are durable
 * in ElasticMQ, so a restart loses nothing.
 */
package dev.skyloom.local.cloud.lambda.esm;
