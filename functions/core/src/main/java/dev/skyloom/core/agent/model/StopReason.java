package dev.skyloom.core.agent.model;

/** Why the model stopped; Bedrock's stop reasons, which other providers' map onto. */
public enum StopReason {
    END_TURN, TOOL_USE, MAX_TOKENS, STOP_SEQUENCE, GUARDRAIL_INTERVENED, CONTENT_FILTERED;

    /** The Bedrock wire value ({@code end_turn}, {@code tool_use}, ...). */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static StopReason fromWire(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
}
