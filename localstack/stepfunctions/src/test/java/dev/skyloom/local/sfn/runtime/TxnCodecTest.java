package dev.skyloom.local.sfn.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.local.sfn.expr.Json;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TxnCodecTest {
    @Test
    void encodeThenDecode_shouldRoundTripOpsAndEvents() throws Exception {
        Execution ex = new Execution(7, "arn", "n", "sm", null, "sm", "role",
                "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}}",
                dev.skyloom.local.sfn.asl.AslParser.parse(
                        "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}}"),
                false, Json.object(), "{}", 1L, null, null, null);
        Txn tx = new Txn(ex, 1234L);
        long eid = tx.stateEvent(0, 0, "PassStateEntered", "stateEnteredEventDetails", "A", "input",
                "{\"ü\":\"ünïcode\"}", null);
        tx.op("enter").put("f", 0).put("s", "A").put("t", 1234L).put("eid", eid).set("in", Json.parse("{\"ü\":\"ünïcode\"}"));
        tx.op("task").put("f", 0).put("seq", 3).put("tok", "tok").put("to", -5L).put("ts", 10).set("p",
                Json.parse("[1,2]"));
        tx.event(-1, 1, "ExecutionFailed", "executionFailedEventDetails", Json.object().put("error", "E"));
        TxnCodec c = new TxnCodec();
        c.encode(tx);
        TxnCodec.Decoded d = TxnCodec.decode(Arrays.copyOf(c.buffer(), c.length()));
        assertThat(d.executionId()).isEqualTo(7);
        assertThat(d.events()).hasSize(2);
        assertThat(d.events().get(0).payload()).isEqualTo("{\"ü\":\"ünïcode\"}");
        assertThat(d.events().get(1).details().get("error").asText()).isEqualTo("E");
        assertThat(d.events().get(1).frameId()).isEqualTo(-1);
        assertThat(d.ops()).hasSize(2);
        assertThat(d.ops().get(0).in.toString()).as("input restored from the event").isEqualTo("{\"ü\":\"ünïcode\"}");
        Op task = d.ops().get(1);
        assertThat(task.seq).isEqualTo(3);
        assertThat(task.tok).isEqualTo("tok");
        assertThat(task.to).isEqualTo(-5);
        assertThat(task.ts).isEqualTo(10);
        assertThat(task.hs).isNull();
        assertThat(task.p.toString()).isEqualTo("[1,2]");
    }
}
