package dev.skyloom.local.sfn.runtime;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.local.sfn.expr.Json;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * One state change of a {@link Txn}, applied by {@link Model}. A flat record of optional fields, set with the
 * short journal field names ({@code put("s", name)}), written to the journal as a small JSON object and read back
 * on recovery.
 */
final class Op {
    final String op;
    int f = -1;
    int c = -1;
    int i = -1;
    String s;
    String tok;
    String err;
    String cause;
    String status;
    String run;
    String arn;
    String outText;
    JsonNode outNode;
    long seq;
    long at;
    long to;
    long hb;
    long t;
    long eid;
    long le;
    JsonNode leNode;
    Integer ts;
    Integer hs;
    JsonNode p;
    JsonNode in;
    JsonNode v;
    JsonNode items;
    boolean ok;
    boolean par;
    boolean dist;
    int max;
    long tc;
    double tp;
    boolean inFromEvent;
    /** Runtime only: the state named by {@code s}, when the interpreter already has it (saves a lookup). */
    dev.skyloom.local.sfn.asl.State state;

    Op(String op) {
        this.op = op;
    }

    Op put(String key, long value) {
        switch (key) {
            case "f" -> f = (int) value;
            case "c" -> c = (int) value;
            case "i" -> i = (int) value;
            case "seq" -> seq = value;
            case "at" -> at = value;
            case "to" -> to = value;
            case "hb" -> hb = value;
            case "t" -> t = value;
            case "eid" -> eid = value;
            case "le" -> le = value;
            case "ts" -> ts = (int) value;
            case "hs" -> hs = (int) value;
            case "max" -> max = (int) value;
            case "tc" -> tc = value;
            default -> throw new IllegalArgumentException("unknown numeric op field " + key);
        }
        return this;
    }

    Op put(String key, int value) {
        return put(key, (long) value);
    }

    Op put(String key, double value) {
        if (!key.equals("tp")) {
            throw new IllegalArgumentException("unknown decimal op field " + key);
        }
        tp = value;
        return this;
    }

    Op put(String key, boolean value) {
        switch (key) {
            case "ok" -> ok = value;
            case "par" -> par = value;
            case "dist" -> dist = value;
            default -> throw new IllegalArgumentException("unknown boolean op field " + key);
        }
        return this;
    }

    Op put(String key, String value) {
        switch (key) {
            case "s" -> s = value;
            case "tok" -> tok = value;
            case "err" -> err = value;
            case "cause" -> cause = value;
            case "status" -> status = value;
            case "run" -> run = value;
            case "arn" -> arn = value;
            case "out" -> outText = value;
            default -> throw new IllegalArgumentException("unknown text op field " + key);
        }
        return this;
    }

    Op set(String key, JsonNode value) {
        switch (key) {
            case "p" -> p = value;
            case "in" -> in = value;
            case "v" -> v = value;
            case "items" -> items = value;
            case "out" -> outNode = value;
            case "le" -> leNode = value;
            default -> throw new IllegalArgumentException("unknown JSON op field " + key);
        }
        return this;
    }

    /** Journal form. {@code inFromEvent}: the input is the payload of the StateEntered event {@code eid}. */
    void write(JsonGenerator g, boolean skipInput) throws IOException {
        g.writeStartObject();
        g.writeStringField("op", op);
        if (f >= 0) {
            g.writeNumberField("f", f);
        }
        if (c >= 0) {
            g.writeNumberField("c", c);
        }
        if (i >= 0) {
            g.writeNumberField("i", i);
        }
        str(g, "s", s);
        str(g, "tok", tok);
        str(g, "err", err);
        str(g, "cause", cause);
        str(g, "status", status);
        str(g, "run", run);
        str(g, "arn", arn);
        str(g, "out", outText);
        num(g, "seq", seq);
        num(g, "at", at);
        num(g, "to", to);
        num(g, "hb", hb);
        num(g, "t", t);
        num(g, "eid", eid);
        num(g, "le", le);
        if (ts != null) {
            g.writeNumberField("ts", ts);
        }
        if (hs != null) {
            g.writeNumberField("hs", hs);
        }
        node(g, "p", p);
        if (skipInput) {
            g.writeBooleanField("inEv", true);
        } else {
            node(g, "in", in);
        }
        node(g, "v", v);
        node(g, "items", items);
        node(g, "outNode", outNode);
        node(g, "leNode", leNode);
        if (ok) {
            g.writeBooleanField("ok", true);
        }
        if (par) {
            g.writeBooleanField("par", true);
        }
        if (dist) {
            g.writeBooleanField("dist", true);
        }
        if (max != 0) {
            g.writeNumberField("max", max);
        }
        if (tc != 0) {
            g.writeNumberField("tc", tc);
        }
        if (tp != 0) {
            g.writeNumberField("tp", tp);
        }
        g.writeEndObject();
    }

    private static void str(JsonGenerator g, String k, String v) throws IOException {
        if (v != null) {
            g.writeStringField(k, v);
        }
    }

    private static void num(JsonGenerator g, String k, long v) throws IOException {
        if (v != 0) {
            g.writeNumberField(k, v);
        }
    }

    private static void node(JsonGenerator g, String k, JsonNode v) throws IOException {
        if (v != null) {
            g.writeFieldName(k);
            v.serialize(g, Json.PROVIDER);
        }
    }

    static Op read(JsonNode j) {
        Op o = new Op(j.get("op").textValue());
        for (Iterator<Map.Entry<String, JsonNode>> it = j.properties().iterator(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "op" -> {
                }
                case "s", "tok", "err", "cause", "status", "run", "arn", "out" -> o.put(e.getKey(), v.textValue());
                case "p", "in", "v", "items" -> o.set(e.getKey(), v);
                case "outNode" -> o.outNode = v;
                case "leNode" -> o.leNode = v;
                case "ok", "par", "dist" -> o.put(e.getKey(), v.booleanValue());
                case "tp" -> o.tp = v.doubleValue();
                case "inEv" -> o.inFromEvent = v.booleanValue();
                default -> o.put(e.getKey(), v.longValue());
            }
        }
        return o;
    }
}
