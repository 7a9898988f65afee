package dev.skyloom.local.cloud.edge;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/** Serves the requests the edge routed to one service. Implementations must always answer the exchange. */
@FunctionalInterface
public interface ServiceHandler {
    void handle(HttpExchange exchange) throws IOException;
}
