package dev.skyloom.local.sfn.asl;

import java.util.List;

/** One element of a state's Retry field. */
public record Retrier(List<String> errorEquals, int intervalSeconds, int maxAttempts, double backoffRate,
        Integer maxDelaySeconds, boolean fullJitter) {
}
