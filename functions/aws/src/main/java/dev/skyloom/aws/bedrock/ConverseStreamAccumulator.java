package dev.skyloom.aws.bedrock;

import dev.skyloom.core.agent.model.ContentBlock;
import dev.skyloom.core.agent.model.Message;
import dev.skyloom.core.agent.model.ModelClient;
import dev.skyloom.core.agent.model.ModelResponse;
import dev.skyloom.core.agent.model.Role;
import dev.skyloom.core.agent.model.StopReason;
import dev.skyloom.core.agent.model.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDeltaEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockStartEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamMetadataEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStopEvent;

/**
 * Puts a ConverseStream's events back together into one response, handing text deltas to the listener as they
 * arrive. Events of one stream arrive in order, from one thread at a time.
 */
final class ConverseStreamAccumulator {
    private static final class Block {
        final StringBuilder text = new StringBuilder();
        final StringBuilder input = new StringBuilder();
        String toolUseId;
        String toolName;
    }

    private final ModelClient.StreamListener listener;
    private final Map<Integer, Block> blocks = new TreeMap<>();
    private volatile String stopReason;
    private volatile TokenUsage usage = TokenUsage.ZERO;

    ConverseStreamAccumulator(ModelClient.StreamListener listener) {
        this.listener = listener;
    }

    ConverseStreamResponseHandler.Visitor visitor() {
        return ConverseStreamResponseHandler.Visitor.builder()
                .onContentBlockStart(this::onStart)
                .onContentBlockDelta(this::onDelta)
                .onMessageStop(this::onStop)
                .onMetadata(this::onMetadata)
                .build();
    }

    synchronized void onStart(ContentBlockStartEvent event) {
        if (event.start() != null && event.start().toolUse() != null) {
            Block block = block(event.contentBlockIndex());
            block.toolUseId = event.start().toolUse().toolUseId();
            block.toolName = event.start().toolUse().name();
        }
    }

    synchronized void onDelta(ContentBlockDeltaEvent event) {
        if (event.delta() == null) {
            return;
        }
        Block block = block(event.contentBlockIndex());
        if (event.delta().text() != null) {
            block.text.append(event.delta().text());
            listener.onText(event.delta().text());
        } else if (event.delta().toolUse() != null && event.delta().toolUse().input() != null) {
            block.input.append(event.delta().toolUse().input());
        }
    }

    void onStop(MessageStopEvent event) {
        stopReason = event.stopReasonAsString();
    }

    void onMetadata(ConverseStreamMetadataEvent event) {
        usage = BedrockMapping.usage(event.usage());
    }

    private Block block(Integer index) {
        return blocks.computeIfAbsent(index == null ? 0 : index, i -> new Block());
    }

    synchronized ModelResponse response(long latencyMs) {
        List<ContentBlock> content = new ArrayList<>();
        for (Block block : blocks.values()) {
            if (block.toolName != null) {
                content.add(new ContentBlock.ToolUse(block.toolUseId, block.toolName,
                        BedrockMapping.parseInput(block.input.toString(), block.toolName)));
            } else if (!block.text.isEmpty()) {
                content.add(new ContentBlock.Text(block.text.toString()));
            }
        }
        StopReason reason = BedrockMapping.stopReason(stopReason);
        return new ModelResponse(new Message(Role.ASSISTANT, content), reason, usage, latencyMs);
    }
}
