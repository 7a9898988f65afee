package dev.skyloom.local.sfn.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.local.sfn.expr.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The binary journal form of a {@link Txn}: {@code 0x01, varlong execution id, ops, events}. Strings are
 * length-prefixed UTF-8, numbers are varints, JSON values are their compact text. Hand-written because this is the
 * hot path of every transition; records of other kinds (state machines, starts, snapshots) stay JSON.
 */
final class TxnCodec {
    static final byte TXN = 1;

    /** Common (type, detailsKey, payloadKey) triples, written as one small code instead of three strings. */
    private static final String[][] KINDS;
    private static final java.util.Map<String, Integer> KIND_CODES = new java.util.IdentityHashMap<>();

    static {
        java.util.List<String[]> kinds = new ArrayList<>();
        for (String t : List.of("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")) {
            kinds.add(new String[] {(t + "StateEntered").intern(), "stateEnteredEventDetails", "input"});
            kinds.add(new String[] {(t + "StateExited").intern(), "stateExitedEventDetails", "output"});
        }
        KINDS = kinds.toArray(String[][]::new);
        for (int k = 0; k < KINDS.length; k++) {
            KIND_CODES.put(KINDS[k][0], k + 1);
        }
    }

    private static int kindCode(HistoryEvent e) {
        if (e.payloadKey() == null || e.detailsKey() == null) {
            return 0;
        }
        Integer code = KIND_CODES.get(e.type()); // by identity: the interned names the interpreter uses
        if (code == null) {
            return 0;
        }
        String[] k = KINDS[code - 1];
        return k[1].equals(e.detailsKey()) && k[2].equals(e.payloadKey()) ? code : 0;
    }

    private byte[] buf = new byte[8192];
    private int len;

    byte[] buffer() {
        return buf;
    }

    int length() {
        return len;
    }

    /** A decoded transaction. */
    record Decoded(long executionId, List<Op> ops, List<HistoryEvent> events) {
    }

    void encode(Txn tx) {
        len = 0;
        put(TXN);
        varLong(tx.ex.id);
        varLong(tx.ops.size());
        long firstEvent = tx.events.isEmpty() ? 0 : tx.events.get(0).id();
        for (Op op : tx.ops) {
            boolean fromEvent = false;
            if (op.eid != 0 && op.in != null && !tx.events.isEmpty()) {
                long index = op.eid - firstEvent;
                if (index >= 0 && index < tx.events.size()) {
                    HistoryEvent e = tx.events.get((int) index);
                    fromEvent = e.id() == op.eid && e.payload() != null && "input".equals(e.payloadKey());
                }
            }
            writeOp(op, fromEvent);
        }
        varLong(tx.events.size());
        long baseId = tx.events.isEmpty() ? 0 : tx.events.get(0).id();
        long baseTs = tx.events.isEmpty() ? 0 : tx.events.get(0).timestamp();
        varLong(baseId);
        varLong(baseTs);
        for (HistoryEvent e : tx.events) {
            varLong(e.frameId() + 1L);
            varLong(e.id() - baseId);
            varLong(e.id() - e.previousEventId());
            varLong(e.timestamp() - baseTs);
            int kind = kindCode(e);
            varLong(kind);
            if (kind == 0) {
                string(e.type());
                string(e.detailsKey());
            }
            string(e.name());
            if (kind == 0) {
                string(e.payloadKey());
            }
            string(e.payload());
            json(e.details());
            json(e.assigned());
        }
    }

    // field presence bits of an op record
    private static final int F = 1;
    private static final int C = 1 << 1;
    private static final int I = 1 << 2;
    private static final int S = 1 << 3;
    private static final int TOK = 1 << 4;
    private static final int ERR = 1 << 5;
    private static final int CAUSE = 1 << 6;
    private static final int STATUS = 1 << 7;
    private static final int RUN = 1 << 8;
    private static final int ARN = 1 << 9;
    private static final int OUT_TEXT = 1 << 10;
    private static final int SEQ = 1 << 11;
    private static final int AT = 1 << 12;
    private static final int TO = 1 << 13;
    private static final int HB = 1 << 14;
    private static final int T = 1 << 15;
    private static final int EID = 1 << 16;
    private static final int LE = 1 << 17;
    private static final int TS = 1 << 18;
    private static final int HS = 1 << 19;
    private static final int P = 1 << 20;
    private static final int IN = 1 << 21;
    private static final int IN_EVENT = 1 << 22;
    private static final int V = 1 << 23;
    private static final int ITEMS = 1 << 24;
    private static final int OUT_NODE = 1 << 25;
    private static final int LE_NODE = 1 << 26;
    private static final int FLAGS = 1 << 27;
    private static final int MAX = 1 << 28;
    private static final int TC = 1 << 29;
    private static final int TP = 1 << 30;

    private void writeOp(Op op, boolean inFromEvent) {
        int m = 0;
        m |= op.f >= 0 ? F : 0;
        m |= op.c >= 0 ? C : 0;
        m |= op.i >= 0 ? I : 0;
        m |= op.s != null ? S : 0;
        m |= op.tok != null ? TOK : 0;
        m |= op.err != null ? ERR : 0;
        m |= op.cause != null ? CAUSE : 0;
        m |= op.status != null ? STATUS : 0;
        m |= op.run != null ? RUN : 0;
        m |= op.arn != null ? ARN : 0;
        m |= op.outText != null ? OUT_TEXT : 0;
        m |= op.seq != 0 ? SEQ : 0;
        m |= op.at != 0 ? AT : 0;
        m |= op.to != 0 ? TO : 0;
        m |= op.hb != 0 ? HB : 0;
        m |= op.t != 0 ? T : 0;
        m |= op.eid != 0 ? EID : 0;
        m |= op.le != 0 ? LE : 0;
        m |= op.ts != null ? TS : 0;
        m |= op.hs != null ? HS : 0;
        m |= op.p != null ? P : 0;
        m |= inFromEvent ? IN_EVENT : op.in != null ? IN : 0;
        m |= op.v != null ? V : 0;
        m |= op.items != null ? ITEMS : 0;
        m |= op.outNode != null ? OUT_NODE : 0;
        m |= op.leNode != null ? LE_NODE : 0;
        m |= op.ok || op.par || op.dist ? FLAGS : 0;
        m |= op.max != 0 ? MAX : 0;
        m |= op.tc != 0 ? TC : 0;
        m |= op.tp != 0 ? TP : 0;
        string(op.op);
        varLong(m);
        if ((m & F) != 0) {
            varLong(op.f);
        }
        if ((m & C) != 0) {
            varLong(op.c);
        }
        if ((m & I) != 0) {
            varLong(op.i);
        }
        if ((m & S) != 0) {
            string(op.s);
        }
        if ((m & TOK) != 0) {
            string(op.tok);
        }
        if ((m & ERR) != 0) {
            string(op.err);
        }
        if ((m & CAUSE) != 0) {
            string(op.cause);
        }
        if ((m & STATUS) != 0) {
            string(op.status);
        }
        if ((m & RUN) != 0) {
            string(op.run);
        }
        if ((m & ARN) != 0) {
            string(op.arn);
        }
        if ((m & OUT_TEXT) != 0) {
            string(op.outText);
        }
        if ((m & SEQ) != 0) {
            varLong(op.seq);
        }
        if ((m & AT) != 0) {
            varLong(op.at);
        }
        if ((m & TO) != 0) {
            varLong(op.to);
        }
        if ((m & HB) != 0) {
            varLong(op.hb);
        }
        if ((m & T) != 0) {
            varLong(op.t);
        }
        if ((m & EID) != 0) {
            varLong(op.eid);
        }
        if ((m & LE) != 0) {
            varLong(op.le);
        }
        if ((m & TS) != 0) {
            varLong(op.ts);
        }
        if ((m & HS) != 0) {
            varLong(op.hs);
        }
        if ((m & P) != 0) {
            json(op.p);
        }
        if ((m & IN) != 0) {
            json(op.in);
        }
        if ((m & V) != 0) {
            json(op.v);
        }
        if ((m & ITEMS) != 0) {
            json(op.items);
        }
        if ((m & OUT_NODE) != 0) {
            json(op.outNode);
        }
        if ((m & LE_NODE) != 0) {
            json(op.leNode);
        }
        if ((m & FLAGS) != 0) {
            put((byte) ((op.ok ? 1 : 0) | (op.par ? 2 : 0) | (op.dist ? 4 : 0)));
        }
        if ((m & MAX) != 0) {
            varLong(op.max);
        }
        if ((m & TC) != 0) {
            varLong(op.tc);
        }
        if ((m & TP) != 0) {
            string(Double.toString(op.tp));
        }
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }

    private void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void varLong(long v) {
        ensure(10);
        long u = (v << 1) ^ (v >> 63); // zigzag: small negatives stay small
        while ((u & ~0x7FL) != 0) {
            buf[len++] = (byte) ((u & 0x7F) | 0x80);
            u >>>= 7;
        }
        buf[len++] = (byte) u;
    }

    /** Null is length 0; otherwise length + 1 then the UTF-8 bytes. */
    private void string(String s) {
        if (s == null) {
            varLong(0);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8); // a vectorized copy for Latin-1 strings
        varLong(b.length + 1L);
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    private void json(JsonNode n) {
        string(n == null ? null : Json.write(n));
    }

    // ------------------------------------------------------------------ decoding

    static Decoded decode(byte[] data) {
        Reader r = new Reader(data);
        if (r.b() != TXN) {
            throw new IllegalArgumentException("not a transaction record");
        }
        long exId = r.varLong();
        int nOps = (int) r.varLong();
        List<Op> ops = new ArrayList<>(nOps);
        for (int k = 0; k < nOps; k++) {
            ops.add(readOp(r));
        }
        int nEvents = (int) r.varLong();
        List<HistoryEvent> events = new ArrayList<>(nEvents);
        long baseId = r.varLong();
        long baseTs = r.varLong();
        for (int k = 0; k < nEvents; k++) {
            int frame = (int) (r.varLong() - 1);
            long id = baseId + r.varLong();
            long prev = id - r.varLong();
            long ts = baseTs + r.varLong();
            int kind = (int) r.varLong();
            String type = kind == 0 ? r.string() : KINDS[kind - 1][0];
            String detailsKey = kind == 0 ? r.string() : KINDS[kind - 1][1];
            String name = r.string();
            String payloadKey = kind == 0 ? r.string() : KINDS[kind - 1][2];
            String payload = r.string();
            events.add(new HistoryEvent(frame, id, prev, ts, type, detailsKey, name, payloadKey, payload,
                    (ObjectNode) r.json(), (ObjectNode) r.json()));
        }
        for (Op op : ops) {
            if (op.inFromEvent) {
                op.in = Json.parse(events.get((int) (op.eid - events.get(0).id())).payload());
            }
        }
        return new Decoded(exId, ops, events);
    }

    private static Op readOp(Reader r) {
        Op op = new Op(r.string());
        int m = (int) r.varLong();
        op.f = (m & F) != 0 ? (int) r.varLong() : -1;
        op.c = (m & C) != 0 ? (int) r.varLong() : -1;
        op.i = (m & I) != 0 ? (int) r.varLong() : -1;
        op.s = (m & S) != 0 ? r.string() : null;
        op.tok = (m & TOK) != 0 ? r.string() : null;
        op.err = (m & ERR) != 0 ? r.string() : null;
        op.cause = (m & CAUSE) != 0 ? r.string() : null;
        op.status = (m & STATUS) != 0 ? r.string() : null;
        op.run = (m & RUN) != 0 ? r.string() : null;
        op.arn = (m & ARN) != 0 ? r.string() : null;
        op.outText = (m & OUT_TEXT) != 0 ? r.string() : null;
        op.seq = (m & SEQ) != 0 ? r.varLong() : 0;
        op.at = (m & AT) != 0 ? r.varLong() : 0;
        op.to = (m & TO) != 0 ? r.varLong() : 0;
        op.hb = (m & HB) != 0 ? r.varLong() : 0;
        op.t = (m & T) != 0 ? r.varLong() : 0;
        op.eid = (m & EID) != 0 ? r.varLong() : 0;
        op.le = (m & LE) != 0 ? r.varLong() : 0;
        op.ts = (m & TS) != 0 ? (int) r.varLong() : null;
        op.hs = (m & HS) != 0 ? (int) r.varLong() : null;
        op.p = (m & P) != 0 ? r.json() : null;
        op.in = (m & IN) != 0 ? r.json() : null;
        op.inFromEvent = (m & IN_EVENT) != 0;
        op.v = (m & V) != 0 ? r.json() : null;
        op.items = (m & ITEMS) != 0 ? r.json() : null;
        op.outNode = (m & OUT_NODE) != 0 ? r.json() : null;
        op.leNode = (m & LE_NODE) != 0 ? r.json() : null;
        if ((m & FLAGS) != 0) {
            int flags = r.b();
            op.ok = (flags & 1) != 0;
            op.par = (flags & 2) != 0;
            op.dist = (flags & 4) != 0;
        }
        op.max = (m & MAX) != 0 ? (int) r.varLong() : 0;
        op.tc = (m & TC) != 0 ? r.varLong() : 0;
        op.tp = (m & TP) != 0 ? Double.parseDouble(r.string()) : 0;
        return op;
    }

    private static final class Reader {
        final byte[] d;
        int pos;

        Reader(byte[] d) {
            this.d = d;
        }

        int b() {
            return d[pos++];
        }

        long varLong() {
            long u = 0;
            int shift = 0;
            while (true) {
                byte x = d[pos++];
                u |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    break;
                }
                shift += 7;
            }
            return (u >>> 1) ^ -(u & 1);
        }

        String string() {
            long n = varLong();
            if (n == 0) {
                return null;
            }
            int l = (int) (n - 1);
            String s = new String(d, pos, l, StandardCharsets.UTF_8);
            pos += l;
            return s;
        }

        JsonNode json() {
            String s = string();
            return s == null ? null : Json.parse(s);
        }
    }
}
