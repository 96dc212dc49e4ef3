package dev.zeroserve.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

/** The profiling scripts' summaries: thread groups, Quarkus's build steps, perf's shares. */
class ProfilesTest {
    private static String printed(Consumer<PrintStream> printer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        printer.accept(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void eachThreadCountsItsLastSampleAndNumberedThreadsAreSummedUnderOneName() {
        List<String> samples = List.of("10 5 main", "11 20 vert.x-eventloop-thread-0", "12 3 C2 CompilerThread0",
                "10 50 main", "11 30 vert.x-eventloop-thread-0", "13 70 vert.x-eventloop-thread-1", "14 0 idle");
        assertThat(printed(out -> Profiles.threads(samples, 100, out))).isEqualTo(
                "    1000  vert.x-eventloop-thread\n     500  main\n      30  C2 CompilerThread\n");
    }

    @Test
    void theSlowestBuildStepsComeFirst() {
        List<String> log = List.of("x Build step a.B#c completed in: 12ms", "other line",
                "x Build step d.E#f completed in: 466ms");
        assertThat(printed(out -> Profiles.steps(log, out))).isEqualTo("     466  d.E#f\n      12  a.B#c\n");
    }

    @Test
    void perfSharesAreSummedByThreadGroupAndLibrary() {
        List<String> report = List.of("# comment", "    40.00%;zeroserve-batch-0;libonnxruntime.so",
                "    30.00%;zeroserve-batch-1;libonnxruntime.so", "     5.00%;zeroserve-batch-1;[JIT] tid 42",
                "    20.00%;vert.x-eventloo;[kernel.kallsyms]", "     0.20%;wrk;libc.so.6");
        String printed = printed(out -> Profiles.perf(report, out));
        assertThat(printed).contains("      75.0 %  zeroserve-batch\n      20.0 %  vert.x-eventloo\n")
                .contains("      70.0 %  libonnxruntime.so\n").contains("       5.0 %  [JIT] (Java code)\n")
                .doesNotContain("wrk");
    }
}
