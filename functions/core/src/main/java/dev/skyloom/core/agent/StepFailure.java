package dev.skyloom.core.agent;

/** A step ends with a clear error that is not worth retrying (a guard tripped, the input is invalid). */
public final class StepFailure extends RuntimeException {
    public static final String BUDGET_EXCEEDED = "BUDGET_EXCEEDED";
    public static final String MAX_TURNS = "MAX_TURNS";
    public static final String LOOP_DETECTED = "LOOP_DETECTED";
    public static final String STEP_TIMEOUT = "STEP_TIMEOUT";
    public static final String MODEL_ERROR = "MODEL_ERROR";
    public static final String INVALID_STEP = "INVALID_STEP";

    private final String code;

    public StepFailure(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
