package dev.skyloom.handlers;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Copies everything written to System.out and System.err, so a test can prove what never appears in logs. */
final class CapturedOutput implements AutoCloseable {
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();
    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;

    CapturedOutput() {
        System.setOut(new PrintStream(tee(originalOut), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(tee(originalErr), true, StandardCharsets.UTF_8));
    }

    private OutputStream tee(PrintStream target) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (copy) {
                    copy.write(b);
                }
                target.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (copy) {
                    copy.write(b, off, len);
                }
                target.write(b, off, len);
            }
        };
    }

    String text() {
        synchronized (copy) {
            return copy.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }
}
