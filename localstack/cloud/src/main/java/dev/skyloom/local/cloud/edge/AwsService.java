package dev.skyloom.local.cloud.edge;

import java.util.Arrays;
import java.util.Optional;

/** The AWS services the edge knows, by SigV4 signing name and JSON-protocol target prefix. */
public enum AwsService {
    DYNAMODB("dynamodb", "DynamoDB_20120810", "DynamoDBStreams_20120810"),
    SQS("sqs", "AmazonSQS"),
    S3("s3"),
    LAMBDA("lambda"),
    STEPFUNCTIONS("states", "AWSStepFunctions"),
    EVENTS("events", "AWSEvents"),
    SCHEDULER("scheduler"),
    BEDROCK("bedrock");

    private final String signingName;
    private final String[] targetPrefixes;

    AwsService(String signingName, String... targetPrefixes) {
        this.signingName = signingName;
        this.targetPrefixes = targetPrefixes;
    }

    public String signingName() {
        return signingName;
    }

    static Optional<AwsService> bySigningName(String name) {
        return Arrays.stream(values()).filter(s -> s.signingName.equals(name)).findFirst();
    }

    static Optional<AwsService> byTargetPrefix(String prefix) {
        return Arrays.stream(values()).filter(s -> Arrays.asList(s.targetPrefixes).contains(prefix)).findFirst();
    }
}
