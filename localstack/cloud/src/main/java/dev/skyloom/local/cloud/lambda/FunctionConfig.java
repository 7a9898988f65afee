package dev.skyloom.local.cloud.lambda;

import java.util.Map;
import java.util.TreeMap;

/**
 * A function as the local Lambda service stores it (one JSON file per function).
 *
 * @param codeLocation      for {@code ZIP} code, the directory the package was extracted to; for {@code HOT_RELOAD},
 *                          the jar or class directory on this machine that is loaded as it is
 * @param reservedConcurrency null when none is reserved; 0 throttles every invocation, as on AWS
 */
public record FunctionConfig(String functionName, String runtime, String handler, String role, String description,
                             int timeout, int memorySize, Map<String, String> environment, CodeKind codeKind,
                             String codeLocation, String codeSha256, long codeSize, String lastModified,
                             String revisionId, Integer reservedConcurrency) {

    public FunctionConfig {
        environment = environment == null ? Map.of() : new TreeMap<>(environment);
        description = description == null ? "" : description;
    }

    public FunctionConfig withReservedConcurrency(Integer reserved, String newRevision) {
        return new FunctionConfig(functionName, runtime, handler, role, description, timeout, memorySize, environment,
                codeKind, codeLocation, codeSha256, codeSize, lastModified, newRevision, reserved);
    }

    /** How the code reached the function. */
    public enum CodeKind { ZIP, HOT_RELOAD }
}
