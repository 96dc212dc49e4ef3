package dev.zeroserve.api;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A float as JSON text, per float: the service's writer ({@link FloatText#write}) against the JDK's
 * {@code StringBuilder.append(float)}, over the 6,144 floats of a {@code [1, 16, 384]} answer of the bundled model
 * (values of its order, seeded). Run with {@code -jvmArgsAppend -XX:TieredStopAtLevel=1} for the images' C1 only.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FloatTextBenchmark {
    static final int FLOATS = 16 * 384;

    private final float[] values = new float[FLOATS];
    private final byte[] out = new byte[FLOATS * (FloatText.MAX_LENGTH + 1)];
    private final StringBuilder text = new StringBuilder(FLOATS * (FloatText.MAX_LENGTH + 1));

    @Setup
    public void values() {
        Random random = new Random(42);
        for (int i = 0; i < FLOATS; i++) {
            values[i] = (float) (random.nextGaussian() * 0.3);
        }
    }

    @Benchmark
    @OperationsPerInvocation(FLOATS)
    public int floatText() {
        int at = 0;
        for (float value : values) {
            at += FloatText.write(value, out, at);
            out[at++] = ',';
        }
        return at;
    }

    @Benchmark
    @OperationsPerInvocation(FLOATS)
    public int jdkStringBuilder() {
        text.setLength(0);
        for (float value : values) {
            text.append(value).append(',');
        }
        return text.length();
    }
}
