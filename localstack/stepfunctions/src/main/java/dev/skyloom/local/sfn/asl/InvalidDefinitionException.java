package dev.skyloom.local.sfn.asl;

import java.util.List;

/** A definition that breaks the Amazon States Language; the message lists every problem with its location. */
public final class InvalidDefinitionException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<Diagnostic> diagnostics;

    /** One problem: an AWS-style code, a message and the JSON pointer of the offending field. */
    public record Diagnostic(String code, String message, String location) {
        @Override
        public String toString() {
            return code + ": " + message + " at " + location;
        }
    }

    public InvalidDefinitionException(List<Diagnostic> diagnostics) {
        super(format(diagnostics));
        this.diagnostics = List.copyOf(diagnostics);
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    private static String format(List<Diagnostic> ds) {
        StringBuilder sb = new StringBuilder("Invalid State Machine Definition: ");
        for (int i = 0; i < ds.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append('\'').append(ds.get(i)).append('\'');
        }
        return sb.toString();
    }
}
