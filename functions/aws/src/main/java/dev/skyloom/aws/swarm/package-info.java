/** Swarm state in DynamoDB (versioned, conditional writes) and swarm documents in S3. */
package dev.skyloom.aws.swarm;
