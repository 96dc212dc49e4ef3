package dev.zeroserve.tools.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceTest {
    @TempDir
    Path directory;

    @Test
    void csvIsSortedAndStartsAtZero() throws Exception {
        Path csv = Files.writeString(directory.resolve("trace.csv"), "arrival_s,path\n105.5,/a\n100,/b\n\n101.25,/c\n");
        Trace trace = Trace.read(csv);
        assertThat(trace.arrivals()).containsExactly(0, 1.25, 5.5);
        assertThat(trace.durationSeconds()).isEqualTo(7);
    }

    @Test
    void aLineThatIsNotATimeIsNamed() throws Exception {
        Path csv = Files.writeString(directory.resolve("bad.csv"), "1.0\nsoon\n");
        assertThatThrownBy(() -> Trace.read(csv)).hasMessageContaining("line 2").hasMessageContaining("'soon'");
    }

    @Test
    void generatedDayFollowsItsRatesAndItsSeed() {
        Trace day = Trace.generated("diurnal", 24, 0, 10, 0, 0, 1, 7);
        assertThat(day.arrivals()).isSorted();
        // 10 req/s × the mean of the shape over a day, ((1 - cos) / 2)^4 averages 35/128: ≈ 236,250 requests.
        assertThat(day.arrivals().length).isBetween(233_000, 239_500);
        long afterMidnight = java.util.Arrays.stream(day.arrivals()).filter(t -> t < 4 * 3600).count();
        assertThat(afterMidnight).as("quiet night").isLessThan(100);
        assertThat(Trace.generated("diurnal", 24, 0, 10, 0, 0, 1, 7).arrivals()).isEqualTo(day.arrivals());
    }
}
