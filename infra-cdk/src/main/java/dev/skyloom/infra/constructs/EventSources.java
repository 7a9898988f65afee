package dev.skyloom.infra.constructs;

import dev.skyloom.manifest.EventSourceSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.CfnEventSourceMapping;
import software.constructs.Construct;

/**
 * Every {@link EventSourceSpec} of the manifest as an SQS event source mapping of the function's {@code live} alias:
 * batch size, batching window, maximum concurrency and {@code ReportBatchItemFailures} as declared. An L1 resource,
 * so that the function's role keeps exactly the manifest's grants (the mapping polls with the role's {@code CONSUME}
 * grant on the queue, which the manifest requires of every mapping); the queue's redrive policy, not the mapping,
 * sends a message that keeps failing to the dead-letter queue.
 */
public final class EventSources extends Construct {
    private final Map<String, CfnEventSourceMapping> mappings = new LinkedHashMap<>();

    public EventSources(Construct scope, String id, EventSourcesProps props) {
        super(scope, id);
        for (EventSourceSpec spec : props.resources().manifest().eventSources()) {
            Alias alias = props.aliases().get(spec.function());
            if (alias == null) {
                throw new IllegalArgumentException("event source " + spec.name() + ": function " + spec.function()
                        + " has no live alias; aliases: " + props.aliases().keySet());
            }
            CfnEventSourceMapping.Builder mapping = CfnEventSourceMapping.Builder.create(this, "Mapping-" + spec.name())
                    .functionName(alias.getFunctionArn())
                    .eventSourceArn(props.resources().queue(spec.queue()).getQueueArn())
                    .batchSize(spec.batchSize())
                    .maximumBatchingWindowInSeconds(spec.maximumBatchingWindowSeconds())
                    .scalingConfig(CfnEventSourceMapping.ScalingConfigProperty.builder()
                            .maximumConcurrency(spec.maximumConcurrency()).build())
                    .enabled(true);
            if (spec.reportBatchItemFailures()) {
                mapping.functionResponseTypes(List.of("ReportBatchItemFailures"));
            }
            CfnEventSourceMapping built = mapping.build();
            Suppressions.suppress(built, "Serverless-LambdaEventSourceMappingDestination",
                    "An SQS event source mapping supports no on-failure destination; the queue's redrive policy "
                            + "moves a message that keeps failing to its dead-letter queue, which has a depth alarm.");
            mappings.put(spec.name(), built);
        }
    }

    /** The mappings by {@link EventSourceSpec#name()}. */
    public Map<String, CfnEventSourceMapping> mappings() {
        return Collections.unmodifiableMap(mappings);
    }

    /** Properties of {@link EventSources}: the deployed resources and the functions' {@code live} aliases. */
    public record EventSourcesProps(DeployedResources resources, Map<String, Alias> aliases) {
        public EventSourcesProps {
            Objects.requireNonNull(resources, "resources");
            aliases = Map.copyOf(aliases);
        }
    }
}
