package dev.skyloom.local.cloud.lambda;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The log of one invocation: what the function wrote to {@code System.out}, {@code System.err} or its
 * {@code LambdaLogger}. Writes still reach the console; the invocation keeps a copy for {@code LogType: Tail}.
 *
 * <p>Functions share the JVM's {@code System.out}, so it is replaced once by a stream that routes each write to the
 * log bound to the writing thread (inherited by threads the function starts).
 */
final class InvocationLog {
    /** Lambda returns at most the last 4 KB of the log in {@code X-Amz-Log-Result}. */
    static final int TAIL_BYTES = 4096;
    private static final int KEEP_BYTES = 64 * 1024;
    private static final InheritableThreadLocal<InvocationLog> CURRENT = new InheritableThreadLocal<>();
    private static volatile boolean installed;

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    static synchronized void installRouting() {
        if (installed) {
            return;
        }
        System.setOut(new PrintStream(new Router(System.out), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Router(System.err), true, StandardCharsets.UTF_8));
        installed = true;
    }

    static void bind(InvocationLog log) {
        CURRENT.set(log);
    }

    /** Whether the current thread writes into an invocation's log (so System.out is copied there already). */
    static boolean isBound() {
        return CURRENT.get() != null;
    }

    static void unbind() {
        CURRENT.remove();
    }

    synchronized void append(byte[] bytes, int offset, int length) {
        if (buffer.size() < KEEP_BYTES) {
            buffer.write(bytes, offset, Math.min(length, KEEP_BYTES - buffer.size()));
        }
    }

    void append(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        append(bytes, 0, bytes.length);
    }

    /** The last 4 KB, as Lambda returns them. */
    synchronized byte[] tail() {
        byte[] all = buffer.toByteArray();
        if (all.length <= TAIL_BYTES) {
            return all;
        }
        byte[] tail = new byte[TAIL_BYTES];
        System.arraycopy(all, all.length - TAIL_BYTES, tail, 0, TAIL_BYTES);
        return tail;
    }

    private static final class Router extends OutputStream {
        private final PrintStream console;

        Router(PrintStream console) {
            this.console = console;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            InvocationLog log = CURRENT.get();
            if (log != null) {
                log.append(bytes, offset, length);
            }
            console.write(bytes, offset, length);
        }

        @Override
        public void flush() {
            console.flush();
        }
    }
}
