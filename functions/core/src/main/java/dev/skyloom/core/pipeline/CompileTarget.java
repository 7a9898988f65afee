package dev.skyloom.core.pipeline;

import java.util.Map;
import java.util.TreeMap;

/**
 * Where the compiled state machine runs: the ARNs it calls and the tenant's limits it is checked against. ARNs may
 * be {@code ${...}} placeholders substituted at deployment ({@link #placeholders()}, as the golden files use).
 *
 * @param agentStepArn the {@code agent-step} state machine (agent, gate and council steps run as its executions)
 * @param swarmArn     the {@code swarm} state machine ({@code swarm} steps)
 * @param functions    registered functions of {@code lambda} steps by name ({@code http_request} → its ARN)
 * @param eventBusName the bus run events and approval requests are put on
 * @param limits       the tenant's limits
 */
public record CompileTarget(String agentStepArn, String swarmArn, Map<String, String> functions, String eventBusName,
                            Limits limits) {

    /**
     * @param maxStepsPerPipeline       steps, counting those inside parallel branches
     * @param maxTurnsPerStep           a step's {@code maxTurns}
     * @param maxTimeoutSeconds         a step's {@code timeoutSeconds}
     * @param maxRetries                a step's {@code maxRetries}
     * @param maxConcurrency            a loop's {@code maxConcurrency}, a parallel's branches, a council's members
     * @param maxDollarsPerRun          a step's {@code budget.maxDollars} and the pipeline's
     * @param maxTokensPerRun           a step's {@code budget.maxTokens} and the pipeline's
     */
    public record Limits(int maxStepsPerPipeline, int maxTurnsPerStep, int maxTimeoutSeconds, int maxRetries,
                         int maxConcurrency, double maxDollarsPerRun, long maxTokensPerRun) {
        public static final Limits DEFAULT = new Limits(100, 200, 7 * 24 * 3600, 10, 40, 100.0, 20_000_000L);
    }

    public CompileTarget {
        functions = Map.copyOf(functions);
    }

    /** The built-in functions of {@code lambda} steps, all served by the one {@code builtins} Lambda function. */
    public static final java.util.List<String> BUILT_IN_FUNCTIONS = java.util.List.of("http_request",
            "json_transform");

    /** The built-in functions, each bound to {@code function} (the {@code builtins} Lambda's name or ARN). */
    public static Map<String, String> builtIns(String function) {
        Map<String, String> functions = new TreeMap<>();
        for (String name : BUILT_IN_FUNCTIONS) {
            functions.put(name, function);
        }
        return functions;
    }

    /**
     * The target of the platform's own state machines: {@code ${StateMachineArn_agent_step}},
     * {@code ${StateMachineArn_swarm}}, {@code ${FunctionArn_builtins}} for the built-ins, {@code ${EventBusName}},
     * the default limits. The golden files are compiled for it.
     */
    public static CompileTarget placeholders() {
        return new CompileTarget("${StateMachineArn_agent_step}", "${StateMachineArn_swarm}",
                builtIns("${FunctionArn_builtins}"),
                "${EventBusName}", Limits.DEFAULT);
    }

    public CompileTarget withLimits(Limits limits) {
        return new CompileTarget(agentStepArn, swarmArn, functions, eventBusName, limits);
    }
}
