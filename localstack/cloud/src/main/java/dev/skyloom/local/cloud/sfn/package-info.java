/**
 * Wires Skyloom's Step Functions engine into the local cloud: its API on the edge, and the service integrations
 * (Lambda, SQS, DynamoDB, EventBridge, S3) that call the local services through the edge, on the same wire as on AWS.
 */
package dev.skyloom.local.cloud.sfn;
