package dev.zeroserve.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.zeroserve.metrics.ColdStart.Phase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class ColdStartTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ColdStart coldStart = new ColdStart(registry);

    @Test
    void readyIsTheEndOfTheWarmUpWhenNothingElseIsAwaited() {
        coldStart.reached(Phase.SESSION_CREATED);
        assertThat(coldStart.secondsAt(Phase.READY)).isNaN();
        coldStart.reached(Phase.WARMED_UP);
        assertThat(coldStart.secondsAt(Phase.READY)).isEqualTo(coldStart.secondsAt(Phase.WARMED_UP)).isPositive();
        assertThat(gauge("ready")).isEqualTo(coldStart.secondsAt(Phase.READY));
    }

    @Test
    void readinessWaitsForTheTokenizerWhereTheModelHasOne() {
        coldStart.readyAwaits(Phase.TOKENIZER_LOADED);
        coldStart.reached(Phase.WARMED_UP);
        assertThat(coldStart.secondsAt(Phase.READY)).isNaN();
        assertThat(registry.find("zeroserve.cold.start.phase").tag("phase", "ready").gauge()).isNull();
        coldStart.reached(Phase.TOKENIZER_LOADED);
        assertThat(coldStart.secondsAt(Phase.READY)).isEqualTo(coldStart.secondsAt(Phase.TOKENIZER_LOADED));
    }

    @Test
    void eachPhaseAndTheFirstAnswerAreRecordedOnce() throws InterruptedException {
        coldStart.reached(Phase.QUARKUS_STARTED);
        coldStart.reached(Phase.WARMED_UP);
        double first = coldStart.secondsAt(Phase.QUARKUS_STARTED);
        coldStart.answered();
        double answered = coldStart.secondsAt(Phase.FIRST_ANSWER);
        Thread.sleep(20);
        coldStart.reached(Phase.QUARKUS_STARTED);
        coldStart.answered();
        assertThat(coldStart.secondsAt(Phase.QUARKUS_STARTED)).isEqualTo(first);
        assertThat(coldStart.secondsAt(Phase.FIRST_ANSWER)).isEqualTo(answered).isGreaterThanOrEqualTo(first);
        assertThat(gauge("first_answer")).isEqualTo(answered);
        assertThat(registry.find("zeroserve.cold.start.phase").gauges()).as("started, warmed up, ready, first answer")
                .hasSize(4);
    }

    @Test
    void anAnswerBeforeReadinessWasRecordedCountsAtReadiness() {
        coldStart.answered();
        assertThat(coldStart.secondsAt(Phase.FIRST_ANSWER)).isNaN();
        coldStart.reached(Phase.WARMED_UP);
        assertThat(coldStart.secondsAt(Phase.FIRST_ANSWER)).isEqualTo(coldStart.secondsAt(Phase.READY)).isPositive();
        assertThat(gauge("first_answer")).isEqualTo(coldStart.secondsAt(Phase.READY));
        coldStart.answered();
        assertThat(coldStart.secondsAt(Phase.FIRST_ANSWER)).as("once").isEqualTo(coldStart.secondsAt(Phase.READY));
    }

    private double gauge(String phase) {
        return registry.get("zeroserve.cold.start.phase").tag("phase", phase).gauge().value();
    }
}
