package dev.zeroserve.text;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.zeroserve.testing.Sentences;

/**
 * The bundled model's tokenizer (HuggingFace tokenizers through DJL's JNI binding) on one text per call, as a
 * {@code /v1/embeddings} request of one input asks: the load benchmark's ~12-token sentence and a ~120-token one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TextTokenizerBenchmark {
    @Param({ "short", "long" })
    public String sentence;

    private TextTokenizer tokenizer;
    private List<String> texts;

    @Setup
    public void load() {
        tokenizer = TextTokenizer.load("classpath:all-minilm-l6-v2-q-tokenizer.json", 256);
        texts = List.of("short".equals(sentence) ? Sentences.SHORT : Sentences.LONG);
    }

    @TearDown
    public void close() {
        tokenizer.close();
    }

    @Benchmark
    public TextTokenizer.Tokens[] encode() {
        return tokenizer.encode(texts);
    }
}
