package dev.skyloom.core.builtins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyloom.core.agent.tools.HttpFetcher;
import dev.skyloom.core.agent.tools.HttpRequestTool;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The built-in functions with a scripted fetcher behind the real {@link HttpRequestTool}. */
class BuiltInFunctionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<HttpFetcher.Request> sent = new ArrayList<>();

    private BuiltInFunctions functions(Function<HttpFetcher.Request, HttpFetcher.Response> server) {
        HttpFetcher fetcher = (request, limits) -> {
            sent.add(request);
            return server.apply(request);
        };
        return new BuiltInFunctions(new HttpRequestTool(fetcher, HttpFetcher.Limits.DEFAULT,
                HttpRequestTool.HostAllowlists.NONE, Clock.systemUTC()), JSON);
    }

    private static HttpFetcher.Response answer(int status, String type, String body) {
        return new HttpFetcher.Response(status, Map.of("Content-Type", List.of(type)),
                body.getBytes(StandardCharsets.UTF_8), false);
    }

    private static JsonNode payload(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void httpRequest_sendsTheParameters_andAnswersStatusBodyAndParsedJson() throws Exception {
        JsonNode out = functions(r -> answer(200, "application/json", "{\"incidents\": [{\"id\": 1}]}")).invoke(
                payload("{\"function\": \"http_request\", \"parameters\": {\"method\": \"POST\", \"url\": "
                        + "\"https://ci.example.com/lint\", \"headers\": {\"Accept\": \"application/json\"}, "
                        + "\"body\": \"code\"}}"));

        assertThat(sent).hasSize(1);
        assertThat(sent.getFirst().method()).isEqualTo("POST");
        assertThat(sent.getFirst().uri().toString()).isEqualTo("https://ci.example.com/lint");
        assertThat(new String(sent.getFirst().body(), StandardCharsets.UTF_8)).isEqualTo("code");
        assertThat(sent.getFirst().headers()).containsEntry("Accept", "application/json");
        assertThat(out.path("status").asInt()).isEqualTo(200);
        assertThat(out.path("json").path("incidents").get(0).path("id").asInt()).isEqualTo(1);
        assertThat(out.path("body").asText()).contains("incidents");
    }

    @Test
    void httpRequest_aTextBody_hasNoJson() throws Exception {
        JsonNode out = functions(r -> answer(200, "text/plain", "all good")).invoke(
                payload("{\"function\": \"http_request\", \"parameters\": {\"url\": \"https://a.example/\"}}"));
        assertThat(out.path("json").isNull()).isTrue();
        assertThat(out.path("body").asText()).isEqualTo("all good");
    }

    @Test
    void httpRequest_anErrorStatus_failsTheStep_withStatusAndBody() {
        assertThatThrownBy(() -> functions(r -> answer(503, "text/plain", "down for maintenance")).invoke(
                payload("{\"function\": \"http_request\", \"parameters\": {\"url\": \"https://a.example/x\"}}")))
                .isInstanceOf(BuiltInFunctionException.class)
                .hasMessage("http_request: GET https://a.example/x answered 503: down for maintenance");
    }

    @Test
    void httpRequest_badParameters_sayWhatIsValid() {
        assertThatThrownBy(() -> functions(r -> answer(200, "text/plain", "x")).invoke(payload(
                "{\"function\": \"http_request\", \"parameters\": {\"url\": \"https://a.example/\", \"verb\": "
                        + "\"GET\", \"method\": \"FETCH\"}}")))
                .isInstanceOf(BuiltInFunctionException.class)
                .hasMessageContaining("parameters.method").hasMessageContaining("verb")
                .hasMessageContaining("valid: url");
        assertThatThrownBy(() -> functions(r -> answer(200, "text/plain", "x")).invoke(payload(
                "{\"function\": \"http_request\"}")))
                .hasMessage("http_request needs parameters {url, method?, headers?, body?}");
        assertThat(sent).isEmpty();
    }

    @Test
    void jsonTransform_filtersAStringInput_asTheExampleDoes() throws Exception {
        String input = JSON.writeValueAsString("{\"incidents\": [{\"id\": 1, \"open\": true}, {\"id\": 2, "
                + "\"open\": false}, {\"id\": 3, \"open\": true}]}");
        JsonNode out = functions(r -> null).invoke(payload("{\"function\": \"json_transform\", \"input\": " + input
                + ", \"parameters\": {\"expression\": \"$.incidents[?(@.open == true)]\"}}"));
        assertThat(out.isArray()).isTrue();
        assertThat(out.findValuesAsText("id")).containsExactly("1", "3");
    }

    @Test
    void jsonTransform_aDefinitePath_answersItsValue_orNullWhenAbsent() throws Exception {
        JsonNode in = payload("{\"a\": {\"b\": [10, 20]}}");
        BuiltInFunctions f = functions(r -> null);
        JsonNode value = f.invoke(JSON.createObjectNode().put("function", "json_transform").<com.fasterxml.jackson
                .databind.node.ObjectNode>set("input", in).set("parameters", JSON.createObjectNode()
                .put("expression", "$.a.b[1]")));
        assertThat(value.asInt()).isEqualTo(20);
        JsonNode absent = f.invoke(JSON.createObjectNode().put("function", "json_transform").<com.fasterxml.jackson
                .databind.node.ObjectNode>set("input", in).set("parameters", JSON.createObjectNode()
                .put("expression", "$.a.c")));
        assertThat(absent.isNull()).isTrue();
    }

    @Test
    void jsonTransform_aDocumentParameter_isUsedBeforeTheInput() throws Exception {
        JsonNode out = functions(r -> null).invoke(payload("{\"function\": \"json_transform\", \"input\": \"ignored\", "
                + "\"parameters\": {\"document\": {\"sources\": [\"a\", \"b\"]}, \"expression\": \"$.sources\"}}"));
        assertThat(out.toString()).isEqualTo("[\"a\",\"b\"]");
    }

    @Test
    void jsonTransform_badInputOrExpression_sayWhatIsValid() throws Exception {
        BuiltInFunctions f = functions(r -> null);
        assertThatThrownBy(() -> f.invoke(payload("{\"function\": \"json_transform\", \"input\": \"not json\", "
                + "\"parameters\": {\"expression\": \"$.a\"}}"))).hasMessageContaining("is not JSON");
        assertThatThrownBy(() -> f.invoke(payload("{\"function\": \"json_transform\", \"input\": {}, "
                + "\"parameters\": {\"expression\": \"a.b\"}}"))).hasMessageContaining("starting with $");
        assertThatThrownBy(() -> f.invoke(payload("{\"function\": \"json_transform\", \"input\": {}, "
                + "\"parameters\": {\"expression\": \"$.a[?(@.x ==\"}}"))).hasMessageContaining("not a valid JSONPath");
        assertThatThrownBy(() -> f.invoke(payload("{\"function\": \"json_transform\", \"input\": {}, "
                + "\"parameters\": {\"expression\": \"$\", \"mode\": 1}}")))
                .hasMessageContaining("unknown parameters [mode]").hasMessageContaining("expression and document");
        assertThat(f.invoke(payload("{\"function\": \"json_transform\", "
                + "\"parameters\": {\"expression\": \"$.a\"}}")).isNull()).as("no document: null").isTrue();
    }

    @Test
    void anUnknownFunction_listsTheBuiltIns() {
        assertThatThrownBy(() -> functions(r -> null).invoke(payload("{\"function\": \"send_email\"}")))
                .hasMessage("function 'send_email' is not a built-in function; built-in functions are: "
                        + "http_request, json_transform");
    }
}
