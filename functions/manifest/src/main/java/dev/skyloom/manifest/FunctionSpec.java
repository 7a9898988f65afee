package dev.skyloom.manifest;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A Java Lambda function of the deployment jar.
 *
 * @param handler             {@code fully.qualified.Class::method}, as Lambda's Java runtime expects
 * @param reservedConcurrency 0 when the function draws on the account's unreserved pool
 * @param environment         variables, sorted by name
 * @param pipelineCallable    whether pipelines' {@code lambda} steps may invoke it (a built-in function): the
 *                            pipelines' execution role is granted {@code lambda:InvokeFunction} on exactly these
 *                            ({@link SkyloomResources#ROLE_PIPELINES})
 */
public record FunctionSpec(String name, String description, String handler, int memoryMb, int timeoutSeconds,
                           int reservedConcurrency, Map<String, EnvValue> environment, List<Grant> grants,
                           boolean pipelineCallable) {
    private static final Pattern HANDLER = Pattern.compile("[a-zA-Z_$][\\w$]*(\\.[a-zA-Z_$][\\w$]*)+(::[a-zA-Z_$][\\w$]*)?");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Z][A-Z0-9_]*");

    public FunctionSpec {
        Names.requireLogical("function", name);
        Objects.requireNonNull(handler, "handler of function " + name);
        if (!HANDLER.matcher(handler).matches()) {
            throw new IllegalArgumentException("function " + name + ": handler '" + handler
                    + "' is invalid: expected fully.qualified.ClassName or fully.qualified.ClassName::method");
        }
        Names.requireRange("memoryMb of function " + name, memoryMb, 128, 10_240);
        Names.requireRange("timeoutSeconds of function " + name, timeoutSeconds, 1, 900);
        Names.requireRange("reservedConcurrency of function " + name, reservedConcurrency, 0, 1000);
        environment = Collections.unmodifiableSortedMap(new TreeMap<>(environment));
        environment.keySet().forEach(key -> {
            if (!ENV_NAME.matcher(key).matches()) {
                throw new IllegalArgumentException("function " + name + ": environment variable '" + key
                        + "' is invalid: use A-Z, 0-9 and '_', starting with a letter");
            }
        });
        grants = List.copyOf(grants);
    }

    /** A function pipelines may not call. */
    public FunctionSpec(String name, String description, String handler, int memoryMb, int timeoutSeconds,
                        int reservedConcurrency, Map<String, EnvValue> environment, List<Grant> grants) {
        this(name, description, handler, memoryMb, timeoutSeconds, reservedConcurrency, environment, grants, false);
    }

    /** This function, callable from pipelines' {@code lambda} steps (a built-in function). */
    public FunctionSpec callableFromPipelines() {
        return new FunctionSpec(name, description, handler, memoryMb, timeoutSeconds, reservedConcurrency,
                environment, grants, true);
    }

    /** This function with one more environment variable. */
    public FunctionSpec withEnvironment(String variable, EnvValue value) {
        Map<String, EnvValue> with = new TreeMap<>(environment);
        if (with.put(variable, value) != null) {
            throw new IllegalArgumentException("function " + name + " already has the environment variable " + variable);
        }
        return new FunctionSpec(name, description, handler, memoryMb, timeoutSeconds, reservedConcurrency, with,
                grants, pipelineCallable);
    }

        /** The class part of {@link #handler()}. */
    public String handlerClass() {
        int sep = handler.indexOf("::");
        return sep < 0 ? handler : handler.substring(0, sep);
    }
}
