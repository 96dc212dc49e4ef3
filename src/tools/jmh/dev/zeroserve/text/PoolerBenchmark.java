package dev.zeroserve.text;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.zeroserve.config.ZeroserveConfig.Pooling;

/**
 * Mean pooling of one text's token vectors as the embeddings path does it: 12 tokens of 384 floats read out of ONNX
 * Runtime's output (a direct little-endian buffer), then scaled to unit length.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PoolerBenchmark {
    static final int TOKENS = 12;
    static final int HIDDEN = 384;

    private FloatBuffer hidden;

    @Setup
    public void hidden() {
        ByteBuffer bytes = ByteBuffer.allocateDirect(TOKENS * HIDDEN * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        Random random = new Random(42);
        for (int i = 0; i < TOKENS * HIDDEN; i++) {
            bytes.putFloat((float) (random.nextGaussian() * 0.3));
        }
        hidden = bytes.flip().asFloatBuffer();
    }

    @Benchmark
    public float[] meanPooling() {
        return Pooler.pool(Pooling.MEAN, hidden, 0, TOKENS, TOKENS, HIDDEN);
    }

    @Benchmark
    public float[] meanPoolingNormalized() {
        return Pooler.normalize(Pooler.pool(Pooling.MEAN, hidden, 0, TOKENS, TOKENS, HIDDEN));
    }
}
