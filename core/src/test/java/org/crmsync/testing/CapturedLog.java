package org.crmsync.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * What the code under test logs while it runs, taken out of the build log: slf4j-simple writes to
 * whatever {@code System.err} is at the time of each line, so a test that provokes a failure on
 * purpose can keep its expected stack traces to itself and assert on them instead.
 */
public final class CapturedLog {
    private final String text;
    private final Object result;

    private CapturedLog(String text, Object result) {
        this.text = text;
        this.result = result;
    }

    /** Runs {@code work} with the log captured. */
    public static <T> CapturedLog during(Supplier<T> work) {
        PrintStream original = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        T result;
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setErr(capture);
            result = work.get();
        } finally {
            System.setErr(original);
        }
        return new CapturedLog(bytes.toString(StandardCharsets.UTF_8), result);
    }

    /** Everything logged. */
    public String text() {
        return text;
    }

    /** What {@code work} returned. */
    @SuppressWarnings("unchecked")
    public <T> T result() {
        return (T) result;
    }
}
