package dev.skyloom.core.swarm;

/**
 * The swarm's state kept changing under a scheduler call (other workers wrote first, many times in a row); the
 * state machine retries the call. Its class name is the error name the workflow's Retry lists.
 */
public final class SwarmConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SwarmConflictException(String message) {
        super(message);
    }
}
