package dev.skyloom.local.sfn.runtime;

/** An API error with its Step Functions code (e.g. ExecutionDoesNotExist) and a message saying what is wrong. */
public final class ServiceException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String code;

    public ServiceException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
