package dev.skyloom.local.sfn;

/** How a Task waits for its service: answer of the call, a task token, or the end of a job (.sync). */
public enum IntegrationPattern {
    REQUEST_RESPONSE, WAIT_FOR_TASK_TOKEN, RUN_JOB
}
