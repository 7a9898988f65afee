package dev.skyloom.local.cloud.events;

/** An error of the EventBridge API: its code ({@code __type}) and message; all are HTTP 400 as on AWS. */
public final class EventBridgeException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String code;

    public EventBridgeException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
