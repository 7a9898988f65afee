/** Adapters implementing skyloom-core's ports with the AWS SDK v2 (DynamoDB, SQS, S3, ...). */
package dev.skyloom.aws;
