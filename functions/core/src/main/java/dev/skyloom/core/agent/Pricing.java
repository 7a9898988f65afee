package dev.skyloom.core.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.core.agent.model.TokenUsage;
import dev.skyloom.core.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What model calls cost, from a price table kept as data ({@code model-prices.json}: US dollars per million tokens).
 * Costs are exact integers of micro-dollars: a token count times a price per million tokens <em>is</em> micro-dollars.
 * A model that is not in the table costs nothing (its calls are still counted and token budgets still apply).
 */
public final class Pricing {
    private static final String[] REGION_PREFIXES = {"us.", "eu.", "apac.", "global.", "us-gov.", "jp.", "au."};

    /** Prices of one model in US dollars per million tokens. */
    public record Price(BigDecimal input, BigDecimal output, BigDecimal cacheRead, BigDecimal cacheWrite) {
    }

    private final TreeMap<String, Price> prices;

    public Pricing(Map<String, Price> prices) {
        this.prices = new TreeMap<>(prices);
    }

    /** The table shipped in the jar. */
    public static Pricing standard() {
        try (InputStream in = Pricing.class.getResourceAsStream("model-prices.json")) {
            if (in == null) {
                throw new IllegalStateException("model-prices.json is missing from the classpath");
            }
            JsonNode table = Json.MAPPER.readTree(in).path("prices");
            Map<String, Price> prices = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = table.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                JsonNode p = entry.getValue();
                prices.put(entry.getKey(), new Price(p.path("input").decimalValue(), p.path("output").decimalValue(),
                        p.path("cacheRead").decimalValue(), p.path("cacheWrite").decimalValue()));
            }
            return new Pricing(prices);
        } catch (IOException e) {
            throw new UncheckedIOException("model-prices.json is unreadable", e);
        }
    }

    /** The price of a model: the longest table key that prefixes its id (after a cross-region prefix). */
    public Optional<Price> priceOf(String modelId) {
        String id = modelId;
        for (String prefix : REGION_PREFIXES) {
            if (id.startsWith(prefix)) {
                id = id.substring(prefix.length());
                break;
            }
        }
        String best = null;
        for (String key : prices.keySet()) {
            if (id.startsWith(key) && (best == null || key.length() > best.length())) {
                best = key;
            }
        }
        return Optional.ofNullable(best).map(prices::get);
    }

    /** The cost of a call in micro-dollars, rounded up. */
    public long costMicroUsd(String modelId, TokenUsage usage) {
        return priceOf(modelId).map(p -> p.input().multiply(BigDecimal.valueOf(usage.inputTokens()))
                .add(p.output().multiply(BigDecimal.valueOf(usage.outputTokens())))
                .add(p.cacheRead().multiply(BigDecimal.valueOf(usage.cacheReadTokens())))
                .add(p.cacheWrite().multiply(BigDecimal.valueOf(usage.cacheWriteTokens())))
                .setScale(0, RoundingMode.CEILING).longValueExact()).orElse(0L);
    }
}
