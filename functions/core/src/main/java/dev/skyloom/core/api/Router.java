package dev.skyloom.core.api;

import dev.skyloom.core.identity.Principal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Method + path template to handler. Templates are literal segments and {@code {name}} segments (a parameter
 * matches one non-empty segment). A path no route matches is a 404 listing the routes; a path that matches with
 * another method is a 405 naming the allowed methods in {@code Allow}.
 */
public final class Router {

    /** What a route does; the principal is null only on public routes. */
    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request, Principal principal);
    }

    /**
     * One route.
     *
     * @param scope   the {@code resource:action} scope the caller needs; null for a public route (no credentials)
     * @param summary one line for the OpenAPI document
     */
    public record Route(String method, String template, String scope, String summary, Handler handler) {
        public Route {
            Objects.requireNonNull(method);
            Objects.requireNonNull(template);
            Objects.requireNonNull(handler);
        }

        public boolean isPublic() {
            return scope == null;
        }

        List<String> segments() {
            return segmentsOf(template);
        }

        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    /** A matched route with its path parameters. */
    public record Match(Route route, Map<String, String> params) {
    }

    /** The scope of routes any valid credential may call (e.g. {@code GET /me}). */
    public static final String ANY_CREDENTIAL = "";

    private final List<Route> routes = new ArrayList<>();

    public Router add(String method, String template, String scope, String summary, Handler handler) {
        Route route = new Route(method, template, scope, summary, handler);
        for (Route existing : routes) {
            if (existing.method().equals(method) && shape(existing.template()).equals(shape(template))) {
                throw new IllegalArgumentException(route + " clashes with " + existing);
            }
        }
        routes.add(route);
        return this;
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }

    /** The route for this request, or the 404/405 {@link ApiError}. {@code HEAD} is served by {@code GET}. */
    public Match match(String method, String path) {
        List<String> segments = segmentsOf(path);
        TreeSet<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            Optional<Map<String, String>> params = params(route.segments(), segments);
            if (params.isEmpty()) {
                continue;
            }
            if (route.method().equals(method) || (method.equals("HEAD") && route.method().equals("GET"))) {
                return new Match(route, params.get());
            }
            allowed.add(route.method());
        }
        if (!allowed.isEmpty()) {
            String allow = String.join(", ", allowed);
            throw new ApiError(405, "METHOD_NOT_ALLOWED", method + " is not allowed on " + path + "; allowed: "
                    + allow, List.of(), Map.of("Allow", allow));
        }
        throw new ApiError(404, "NOT_FOUND", "No route for " + method + " " + path + ". Routes: "
                + routes.stream().map(Route::toString).collect(Collectors.joining(", ")), List.of(), Map.of());
    }

    private static Optional<Map<String, String>> params(List<String> template, List<String> path) {
        if (template.size() != path.size()) {
            return Optional.empty();
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < template.size(); i++) {
            String t = template.get(i);
            String p = path.get(i);
            if (t.startsWith("{") && t.endsWith("}")) {
                if (p.isEmpty()) {
                    return Optional.empty();
                }
                params.put(t.substring(1, t.length() - 1), p);
            } else if (!t.equals(p)) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }

    private static String shape(String template) {
        return template.replaceAll("\\{[^}/]+}", "{}");
    }

    static List<String> segmentsOf(String path) {
        String trimmed = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        String[] parts = trimmed.split("/", -1);
        List<String> segments = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            segments.add(parts[i]);
        }
        return segments;
    }
}
