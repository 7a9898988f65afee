package dev.skyloom.local.cloud.edge;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.HttpExchange;
import dev.skyloom.local.cloud.http.HttpExchanges;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Guards an emulator from request bodies AWS would refuse before running the operation: for AWS JSON protocol
 * requests (those with an {@code X-Amz-Target}), a body that is not one JSON object gets AWS's 400
 * {@code SerializationException} (DynamoDB Local would answer 500), and a body over the service's limit gets 413.
 */
public final class JsonBodyValidator implements ServiceHandler {
    private static final JsonFactory JSON = new JsonFactory();

    private final ServiceHandler delegate;
    private final int maxBody;

    public JsonBodyValidator(ServiceHandler delegate, int maxBody) {
        this.delegate = delegate;
        this.maxBody = maxBody;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (exchange.getRequestHeaders().getFirst("X-Amz-Target") == null) {
            delegate.handle(exchange);
            return;
        }
        byte[] body = HttpExchanges.readBody(exchange, maxBody);
        String problem = problemOf(body);
        if (problem != null) {
            AwsErrors.json(exchange, 400, "com.amazon.coral.service#SerializationException", problem);
            return;
        }
        exchange.setStreams(new ByteArrayInputStream(body), null);
        delegate.handle(exchange);
    }

    private static String problemOf(byte[] body) {
        if (body.length == 0) {
            return "The request body is empty; it must be a JSON object";
        }
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return "The request body must be a JSON object";
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                return "Unexpected content after the JSON object of the request body";
            }
            return null;
        } catch (JsonProcessingException e) {
            return "The request body is not valid JSON: " + e.getOriginalMessage();
        } catch (IOException e) {
            return "The request body could not be read: " + e.getMessage();
        }
    }
}
