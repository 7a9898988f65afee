package dev.skyloom.local.cloud.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceResolverTest {
    private final ServiceResolver resolver = new ServiceResolver();

    private ServiceResolver.Resolution resolve(String path, String query, Map<String, String> headers) {
        Headers h = new Headers();
        headers.forEach(h::add);
        return resolver.resolve(path, query, h);
    }

    private static String auth(String service) {
        return "AWS4-HMAC-SHA256 Credential=AKID/20261121/us-east-1/" + service
                + "/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";
    }

    @Test
    void resolve_byTargetPrefix_beforeAnythingElse() {
        assertThat(resolve("/", null, Map.of("X-Amz-Target", "DynamoDB_20120810.GetItem",
                "Authorization", auth("sqs"))).service()).contains(AwsService.DYNAMODB);
        assertThat(resolve("/", null, Map.of("X-Amz-Target", "AmazonSQS.SendMessage")).service())
                .contains(AwsService.SQS);
        assertThat(resolve("/", null, Map.of("X-Amz-Target", "AWSStepFunctions.StartExecution")).service())
                .contains(AwsService.STEPFUNCTIONS);
        assertThat(resolve("/", null, Map.of("X-Amz-Target", "DynamoDBStreams_20120810.GetRecords")).service())
                .contains(AwsService.DYNAMODB);
    }

    @Test
    void resolve_unknownTarget_isUnknownWithItsName() {
        ServiceResolver.Resolution resolution = resolve("/", null, Map.of("X-Amz-Target", "Kinesis_20131202.PutRecord"));

        assertThat(resolution.service()).isEmpty();
        assertThat(resolution.requestedName()).isEqualTo("Kinesis_20131202");
    }

    @Test
    void resolve_bySigV4CredentialScope() {
        assertThat(resolve("/bucket/key", null, Map.of("Authorization", auth("s3"))).service()).contains(AwsService.S3);
        assertThat(resolve("/2015-03-31/functions", null, Map.of("Authorization", auth("lambda"))).service())
                .contains(AwsService.LAMBDA);
        assertThat(resolve("/", "Action=ListQueues", Map.of("Authorization", auth("sqs"))).service())
                .contains(AwsService.SQS);
        assertThat(resolve("/model/x/converse", null, Map.of("Authorization", auth("bedrock"))).service())
                .contains(AwsService.BEDROCK);
        ServiceResolver.Resolution unknown = resolve("/", null, Map.of("Authorization", auth("kinesis")));
        assertThat(unknown.service()).isEmpty();
        assertThat(unknown.requestedName()).isEqualTo("kinesis");
    }

    @Test
    void resolve_byPresignedQueryScope() {
        String query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261121%2Fus-east-1%2Fs3%2Faws4_request"
                + "&X-Amz-Date=20261121T000000Z&X-Amz-Signature=abc";

        assertThat(resolve("/bucket/key", query, Map.of()).service()).contains(AwsService.S3);
    }

    @Test
    void resolve_unsignedRequests_byPath() {
        assertThat(resolve("/2015-03-31/functions/f/invocations", null, Map.of()).service())
                .contains(AwsService.LAMBDA);
        assertThat(resolve("/model/m/converse", null, Map.of()).service()).contains(AwsService.BEDROCK);
        assertThat(resolve("/000000000000/q", "Action=ReceiveMessage", Map.of()).service()).contains(AwsService.SQS);
        assertThat(resolve("/bucket/key", null, Map.of()).service()).contains(AwsService.S3);
    }
}
