package dev.skyloom.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.events.IngestService;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The {@code ingest} function: invoked by the SQS event source mapping of the {@code events} queue with up to ten
 * messages, each an EventBridge event; stores them and answers the partial batch response
 * {@code {"batchItemFailures": [{"itemIdentifier": "<messageId>"}]}} naming the messages to retry (the mapping has
 * {@code ReportBatchItemFailures}), so one bad message does not make the whole batch run again.
 */
public final class IngestHandler implements RequestStreamHandler {
    private final Supplier<IngestService> service;

    public IngestHandler() {
        this(IngestComposition::ingest);
    }

    IngestHandler(Supplier<IngestService> service) {
        this.service = service;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JsonNode event = Json.MAPPER.readTree(input);
        List<IngestService.Message> messages = new ArrayList<>();
        for (JsonNode record : event == null ? Json.MAPPER.createArrayNode() : event.path("Records")) {
            messages.add(new IngestService.Message(record.path("messageId").asText(), record.path("body").asText()));
        }
        IngestService.Outcome outcome = service.get().ingest(messages);
        System.out.println("events ingested messages=" + messages.size() + " stored=" + outcome.stored()
                + " duplicates=" + outcome.duplicates() + " skipped=" + outcome.skipped() + " malformed="
                + outcome.malformed() + " retried=" + outcome.failedMessageIds().size());
        ObjectNode response = Json.MAPPER.createObjectNode();
        ArrayNode failures = response.putArray("batchItemFailures");
        outcome.failedMessageIds().forEach(id -> failures.addObject().put("itemIdentifier", id));
        Json.MAPPER.writeValue(output, response);
    }
}
