package dev.skyloom.core.api;

import dev.skyloom.core.identity.Principal;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Consumer;

/**
 * The API's request pipeline: size limit, route, authentication, scope, rate limit, idempotency key, handler, and
 * the one error mapping. Every route but the public ones needs a credential; a credential without the route's scope gets 403.
 */
public final class Api {

    /** Turns the request's credential into a principal, or throws a 401 {@link ApiError}. */
    @FunctionalInterface
    public interface Authenticator {
        Principal authenticate(ApiRequest request);
    }

    /** Throws a 429 {@link ApiError} (with Retry-After) when the principal is over its rate. */
    @FunctionalInterface
    public interface RateLimiter {
        void check(Principal principal);

        RateLimiter NONE = principal -> { };
    }

    private final Router router;
    private final Authenticator authenticator;
    private final RateLimiter rateLimiter;
    private final int maxBodyBytes;
    private final Consumer<String> log;
    private final Optional<Idempotency> idempotency;
    private final Predicate<Router.Route> idempotent;

    public Api(Router router, Authenticator authenticator, RateLimiter rateLimiter, int maxBodyBytes,
               Consumer<String> log) {
        this(router, authenticator, rateLimiter, maxBodyBytes, log, Optional.empty(), route -> false);
    }

    /**
     * @param idempotency honours {@code Idempotency-Key} on the routes {@code idempotent} selects (the creates)
     */
    public Api(Router router, Authenticator authenticator, RateLimiter rateLimiter, int maxBodyBytes,
               Consumer<String> log, Optional<Idempotency> idempotency, Predicate<Router.Route> idempotent) {
        this.idempotency = Objects.requireNonNull(idempotency);
        this.idempotent = Objects.requireNonNull(idempotent);
        this.router = Objects.requireNonNull(router);
        this.authenticator = Objects.requireNonNull(authenticator);
        this.rateLimiter = Objects.requireNonNull(rateLimiter);
        this.maxBodyBytes = maxBodyBytes;
        this.log = Objects.requireNonNull(log);
    }

    public Router router() {
        return router;
    }

    public ApiResponse handle(ApiRequest request) {
        ApiResponse response;
        try {
            response = dispatch(request);
        } catch (Exception | StackOverflowError e) {
            response = ErrorMapping.toResponse(e, request.requestId(), log);
        }
        return response.withHeader("X-Request-Id", request.requestId());
    }

    private ApiResponse dispatch(ApiRequest request) {
        Router.Match match = router.match(request.method(), request.path());
        Router.Route route = match.route();
        ApiRequest routed = request.withPathParams(match.params());
        if (request.body().length() > maxBodyBytes / 4
                && request.body().getBytes(StandardCharsets.UTF_8).length > maxBodyBytes) {
            throw ApiError.payloadTooLarge(maxBodyBytes);
        }
        if (route.isPublic()) {
            return route.handler().handle(routed, null);
        }
        Principal principal = authenticator.authenticate(routed);
        if (!route.scope().equals(Router.ANY_CREDENTIAL) && !principal.allows(route.scope())) {
            throw ApiError.forbidden("This credential lacks the scope " + route.scope() + " needed for "
                    + route.method() + " " + route.template());
        }
        rateLimiter.check(principal);
        if (idempotency.isPresent() && idempotent.test(route)) {
            return idempotency.get().run(routed, principal, () -> route.handler().handle(routed, principal));
        }
        return route.handler().handle(routed, principal);
    }
}
