package dev.skyloom.aws.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.core.agent.tools.JsonSchemaCheck;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import java.util.List;
import java.util.Map;

/**
 * The MCP SDK's schema validator on the platform's {@link JsonSchemaCheck} (networknt 1.5.9, local references
 * only). Always pass it to the SDK's builders: the SDK's default validator ({@code mcp-json-jackson2}) is written
 * for networknt 2.x and fails with {@code NoClassDefFoundError} next to the 1.5.9 the platform pins.
 */
public final class McpSchemaValidator implements JsonSchemaValidator {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public ValidationResponse validate(Map<String, Object> schema, Object structuredContent) {
        try {
            JsonNode value = JSON.valueToTree(structuredContent);
            List<String> problems = JsonSchemaCheck.problems(JSON.valueToTree(schema), value, "structuredContent");
            return problems.isEmpty() ? ValidationResponse.asValid(JSON.writeValueAsString(value))
                    : ValidationResponse.asInvalid("Validation failed: " + String.join("; ", problems));
        } catch (IllegalArgumentException | JsonProcessingException e) {
            return ValidationResponse.asInvalid("The output schema is unusable: " + e.getMessage());
        }
    }
}
