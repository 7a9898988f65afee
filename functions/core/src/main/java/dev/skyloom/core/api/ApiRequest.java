package dev.skyloom.core.api;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One API request, independent of how it arrived (API Gateway proxy event, test).
 *
 * @param headers    header names are compared case-insensitively
 * @param pathParams the values of the route template's {@code {name}} segments, filled by the {@link Router}
 */
public record ApiRequest(String requestId, String method, String path, Map<String, String> headers,
                         Map<String, String> query, Map<String, String> pathParams, String body) {

    public ApiRequest {
        TreeMap<String, String> caseInsensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        caseInsensitive.putAll(headers);
        headers = java.util.Collections.unmodifiableMap(caseInsensitive);
        query = Map.copyOf(query);
        pathParams = Map.copyOf(pathParams);
        method = method.toUpperCase(Locale.ROOT);
        body = body == null ? "" : body;
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    public String param(String name) {
        String value = pathParams.get(name);
        if (value == null) {
            throw new IllegalStateException("route has no path parameter " + name);
        }
        return value;
    }

    public Optional<String> queryParam(String name) {
        return Optional.ofNullable(query.get(name));
    }

    public ApiRequest withPathParams(Map<String, String> params) {
        return new ApiRequest(requestId, method, path, headers, query, params, body);
    }
}
