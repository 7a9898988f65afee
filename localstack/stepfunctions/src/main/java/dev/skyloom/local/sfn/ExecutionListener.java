package dev.skyloom.local.sfn;

/** Told when an execution changes status (RUNNING at start and redrive, then its terminal status). */
@FunctionalInterface
public interface ExecutionListener {
    void onStatusChange(ExecutionStatusChange change);

    /** A status change; {@code output} is set for SUCCEEDED, {@code error}/{@code cause} for failures. */
    record ExecutionStatusChange(String executionArn, String stateMachineArn, String status, String output,
            String error, String cause) {
    }
}
