package dev.skyloom.local.sfn.expr;

import java.util.List;

/** The predefined error names of the Amazon States Language and how {@code ErrorEquals} matches them. */
public final class StatesErrors {
    public static final String ALL = "States.ALL";
    public static final String RUNTIME = "States.Runtime";
    public static final String TIMEOUT = "States.Timeout";
    public static final String HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout";
    public static final String TASK_FAILED = "States.TaskFailed";
    public static final String PERMISSIONS = "States.Permissions";
    public static final String RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure";
    public static final String PARAMETER_PATH_FAILURE = "States.ParameterPathFailure";
    public static final String BRANCH_FAILED = "States.BranchFailed";
    public static final String NO_CHOICE_MATCHED = "States.NoChoiceMatched";
    public static final String INTRINSIC_FAILURE = "States.IntrinsicFailure";
    public static final String DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded";
    public static final String EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold";
    public static final String ITEM_READER_FAILED = "States.ItemReaderFailed";
    public static final String RESULT_WRITER_FAILED = "States.ResultWriterFailed";
    public static final String QUERY_EVALUATION_ERROR = "States.QueryEvaluationError";

    /** Names a definition may use in ErrorEquals although they start with {@code States.}. */
    public static final List<String> KNOWN = List.of(ALL, RUNTIME, TIMEOUT, HEARTBEAT_TIMEOUT, TASK_FAILED,
            PERMISSIONS, RESULT_PATH_MATCH_FAILURE, PARAMETER_PATH_FAILURE, BRANCH_FAILED, NO_CHOICE_MATCHED,
            INTRINSIC_FAILURE, DATA_LIMIT_EXCEEDED, EXCEED_TOLERATED_FAILURE_THRESHOLD, ITEM_READER_FAILED,
            RESULT_WRITER_FAILED, QUERY_EVALUATION_ERROR, "States.Http.Socket", "States.Http.StatusCode");

    private StatesErrors() {
    }

    /** True for the terminal errors that neither Retry nor Catch may intercept. */
    public static boolean isTerminal(String error) {
        return DATA_LIMIT_EXCEEDED.equals(error) || RUNTIME.equals(error);
    }

    /** Whether one {@code ErrorEquals} entry matches an error name. */
    public static boolean matches(String pattern, String error) {
        if (isTerminal(error)) {
            return false;
        }
        if (pattern.equals(error) || ALL.equals(pattern)) {
            return true;
        }
        return TASK_FAILED.equals(pattern) && !TIMEOUT.equals(error);
    }

    public static boolean matchesAny(List<String> patterns, String error) {
        for (String p : patterns) {
            if (matches(p, error)) {
                return true;
            }
        }
        return false;
    }
}
