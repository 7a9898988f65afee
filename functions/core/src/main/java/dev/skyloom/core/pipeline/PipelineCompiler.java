package dev.skyloom.core.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Compiles a pipeline's YAML into one Step Functions state machine: parse ({@link YamlTree}) → schema check
 * ({@link PipelineReader}) → cross-reference check ({@link CrossReferences}) → ASL ({@link AslWriter}). Pure and
 * deterministic: no I/O, no clock, no randomness; the same YAML, agents and target give byte-identical ASL.
 * Every error of a stage is collected; a later stage runs only on what the earlier ones accepted.
 */
public final class PipelineCompiler {
    /** The largest definition accepted, in characters. */
    public static final int MAX_YAML_CHARS = 200_000;

    private PipelineCompiler() {
    }

    public static PipelineCompiler create() {
        return new PipelineCompiler();
    }

    /**
     * Compiles {@code yaml}.
     *
     * @param yaml   the pipeline definition
     * @param agents the tenant's stored agents (ids and names)
     * @param target ARNs, bus and limits; {@link CompileTarget#placeholders()} for deployment templates
     */
    public Compilation compile(String yaml, AgentDirectory agents, CompileTarget target) {
        Objects.requireNonNull(agents, "agents");
        Objects.requireNonNull(target, "target");
        List<PipelineError> errors = new ArrayList<>();
        if (yaml == null || yaml.isBlank()) {
            errors.add(new PipelineError("", 0, 0, "is required: the pipeline definition as YAML (id, name, "
                    + "steps, ...)"));
            return new Compilation(null, null, List.of(), errors);
        }
        if (yaml.length() > MAX_YAML_CHARS) {
            errors.add(new PipelineError("", 0, 0, "must be at most " + MAX_YAML_CHARS + " characters (was "
                    + yaml.length() + ")"));
            return new Compilation(null, null, List.of(), errors);
        }
        YamlTree tree = YamlTree.parse(yaml, errors);
        if (tree == null) {
            return new Compilation(null, null, List.of(), errors);
        }
        PipelineIr.Pipeline pipeline = PipelineReader.read(tree, errors);
        if (pipeline == null) {
            return new Compilation(null, null, List.of(), errors);
        }
        CrossReferences.Resolved resolved = CrossReferences.check(pipeline, tree, agents, target, errors);
        if (!errors.isEmpty()) {
            return new Compilation(pipeline, null, resolved.inlineAgents(), errors);
        }
        ObjectNode asl = AslWriter.write(pipeline, resolved, target);
        return new Compilation(pipeline, AslWriter.print(asl), resolved.inlineAgents(), errors);
    }
}
