package dev.skyloom.local.cloud.edge;

import com.sun.net.httpserver.Headers;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides which service a request on the edge is for, as LocalStack's edge does: the {@code X-Amz-Target} of JSON
 * protocols first, then the service of the SigV4 credential scope (header or presigned query), then the path.
 */
public final class ServiceResolver {
    private static final Pattern SCOPE = Pattern.compile("Credential=[^/,\\s]+/\\d{8}/[^/]+/([^/]+)/aws4_request");
    private static final Pattern QUERY_SCOPE =
            Pattern.compile("(?:^|&)X-Amz-Credential=[^&%]+(?:/|%2F)\\d{8}(?:/|%2F)[^/&%]+(?:/|%2F)([^/&%]+)(?:/|%2F)aws4_request");

    /** What the request asked for: a known service, or the name it used for one we do not have. */
    public record Resolution(Optional<AwsService> service, String requestedName) {
        static Resolution of(AwsService service) {
            return new Resolution(Optional.of(service), service.signingName());
        }

        static Resolution unknown(String name) {
            return new Resolution(Optional.empty(), name);
        }
    }

    public Resolution resolve(String path, String rawQuery, Headers headers) {
        String target = headers.getFirst("X-Amz-Target");
        if (target != null && !target.isBlank()) {
            int dot = target.indexOf('.');
            String prefix = dot < 0 ? target : target.substring(0, dot);
            return AwsService.byTargetPrefix(prefix).map(Resolution::of).orElseGet(() -> Resolution.unknown(prefix));
        }
        String signingName = scope(headers.getFirst("Authorization"), rawQuery);
        if (signingName != null) {
            return AwsService.bySigningName(signingName).map(Resolution::of)
                    .orElseGet(() -> Resolution.unknown(signingName));
        }
        if (path.startsWith("/2015-03-31/functions") || path.startsWith("/2017-10-31/functions")
                || path.startsWith("/2019-09-30/functions")) {
            return Resolution.of(AwsService.LAMBDA);
        }
        if (path.startsWith("/model/")) {
            return Resolution.of(AwsService.BEDROCK);
        }
        if (rawQuery != null && rawQuery.contains("Action=")) {
            return Resolution.of(AwsService.SQS);
        }
        return Resolution.of(AwsService.S3);
    }

    private static String scope(String authorization, String rawQuery) {
        if (authorization != null) {
            Matcher m = SCOPE.matcher(authorization);
            if (m.find()) {
                return m.group(1);
            }
        }
        if (rawQuery != null) {
            Matcher m = QUERY_SCOPE.matcher(rawQuery);
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }
}
