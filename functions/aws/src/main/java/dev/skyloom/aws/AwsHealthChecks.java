package dev.skyloom.aws;

import dev.skyloom.core.health.HealthCheck;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Health checks of the AWS resources the API depends on: each table is ACTIVE, each queue and bucket answers. */
public final class AwsHealthChecks {
    private AwsHealthChecks() {
    }

    public static List<HealthCheck> of(DynamoDbClient dynamoDb, List<String> tables, SqsClient sqs,
                                       List<String> queueUrls, S3Client s3, List<String> buckets) {
        List<HealthCheck> checks = new ArrayList<>();
        checks.add(check("dynamodb", () -> {
            for (String table : tables) {
                TableStatus status = dynamoDb.describeTable(b -> b.tableName(table)).table().tableStatus();
                if (status != TableStatus.ACTIVE) {
                    throw new IllegalStateException("table " + table + " is " + status);
                }
            }
            return tables.size() + " tables active";
        }));
        checks.add(check("sqs", () -> {
            for (String url : queueUrls) {
                sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN));
            }
            return queueUrls.size() + " queues reachable";
        }));
        checks.add(check("s3", () -> {
            for (String bucket : buckets) {
                s3.headBucket(b -> b.bucket(bucket));
            }
            return buckets.size() + " buckets reachable";
        }));
        return checks;
    }

    private static HealthCheck check(String component, HealthCheck.Probe probe) {
        return new HealthCheck(component, probe);
    }
}
