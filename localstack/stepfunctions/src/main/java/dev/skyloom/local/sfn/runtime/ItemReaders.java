package dev.skyloom.local.sfn.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.expr.Json;
import dev.skyloom.local.sfn.expr.StatesErrors;
import dev.skyloom.local.sfn.expr.StatesException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns what a Map ItemReader's integration returned into the items: an array as is; an S3 listing
 * ({@code Contents}); or an object body ({@code Body}, or a plain string) parsed per
 * {@code ReaderConfig.InputType} (JSON, JSONL, CSV with FIRST_ROW or GIVEN headers), capped by MaxItems.
 */
final class ItemReaders {
    private ItemReaders() {
    }

    static JsonNode toItems(JsonNode result, JsonNode config) {
        String type = config.path("InputType").asText("JSON");
        JsonNode items;
        if (result.isArray()) {
            items = result;
        } else if (result.isObject() && result.has("Contents")) {
            items = result.get("Contents");
        } else {
            String body = result.isTextual() ? result.textValue()
                    : result.path("Body").isTextual() ? result.get("Body").textValue() : null;
            if (body == null) {
                throw new StatesException(StatesErrors.ITEM_READER_FAILED,
                        "The ItemReader result is neither an array, an S3 listing nor an object body");
            }
            items = switch (type) {
                case "CSV" -> csv(body, config);
                case "JSONL" -> jsonl(body);
                default -> {
                    JsonNode n;
                    try {
                        n = Json.parse(body);
                    } catch (IllegalArgumentException e) {
                        throw new StatesException(StatesErrors.ITEM_READER_FAILED, "The object is not valid JSON: "
                                + e.getMessage());
                    }
                    if (!n.isArray()) {
                        throw new StatesException(StatesErrors.ITEM_READER_FAILED,
                                "The JSON object read by the ItemReader must contain an array");
                    }
                    yield n;
                }
            };
        }
        int max = config.path("MaxItems").asInt(0);
        if (max > 0 && items.size() > max) {
            ArrayNode cut = Json.array();
            for (int i = 0; i < max; i++) {
                cut.add(items.get(i));
            }
            return cut;
        }
        return items;
    }

    private static ArrayNode jsonl(String body) {
        ArrayNode out = Json.array();
        for (String line : body.split("\r?\n")) {
            if (!line.isBlank()) {
                try {
                    out.add(Json.parse(line));
                } catch (IllegalArgumentException e) {
                    throw new StatesException(StatesErrors.ITEM_READER_FAILED, "Invalid JSON line: " + line);
                }
            }
        }
        return out;
    }

    private static ArrayNode csv(String body, JsonNode config) {
        List<List<String>> rows = parseCsv(body, config.path("CSVDelimiter").asText("COMMA").equals("COMMA") ? ','
                : config.path("CSVDelimiter").asText().equals("PIPE") ? '|'
                : config.path("CSVDelimiter").asText().equals("SEMICOLON") ? ';'
                : config.path("CSVDelimiter").asText().equals("TAB") ? '\t' : ' ');
        List<String> headers;
        int start = 0;
        if ("GIVEN".equals(config.path("CSVHeaderLocation").asText("FIRST_ROW"))) {
            headers = new ArrayList<>();
            config.path("CSVHeaders").forEach(h -> headers.add(h.asText()));
        } else {
            if (rows.isEmpty()) {
                return Json.array();
            }
            headers = rows.get(0);
            start = 1;
        }
        ArrayNode out = Json.array();
        for (int r = start; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            ObjectNode o = out.addObject();
            for (int i = 0; i < headers.size(); i++) {
                o.put(headers.get(i), i < row.size() ? row.get(i) : "");
            }
        }
        return out;
    }

    private static List<List<String>> parseCsv(String body, char delim) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < body.length() && body.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == delim) {
                row.add(cur.toString());
                cur.setLength(0);
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < body.length() && body.charAt(i + 1) == '\n') {
                    i++;
                }
                row.add(cur.toString());
                cur.setLength(0);
                if (!(row.size() == 1 && row.get(0).isEmpty())) {
                    rows.add(row);
                }
                row = new ArrayList<>();
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0 || !row.isEmpty()) {
            row.add(cur.toString());
            rows.add(row);
        }
        return rows;
    }
}
