package dev.zeroserve.metrics;

import java.lang.management.ManagementFactory;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Where this process's cold start went: when each phase ended, in seconds since the JVM started, as the gauge
 * {@code zeroserve_cold_start_phase_seconds{phase}} and one INFO line at readiness (and one at the first answer).
 * Knative has no cold-start metric (knative/serving#13459), and Quarkus's "started in" ends before the model is ready.
 */
public final class ColdStart {
    private static final Logger LOG = Logger.getLogger(ColdStart.class);

    /** The phases, in the order a cold start passes them (the model's and the tokenizer's run side by side). */
    public enum Phase {
        /** Quarkus's StartupEvent: the HTTP server listens. */
        QUARKUS_STARTED,
        /** ONNX Runtime's native library is loaded and its environment created. */
        ONNXRUNTIME_LOADED,
        /** The model's session is created on its execution providers. */
        SESSION_CREATED,
        /** The warm-up ran (or was skipped); the scheduler starts. */
        WARMED_UP,
        /** The embeddings API's tokenizer is loaded (only where the model has one). */
        TOKENIZER_LOADED,
        /** The readiness probe turns ready: the model warmed up and the tokenizer loaded. */
        READY,
        /** The first request answered successfully. */
        FIRST_ANSWER;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    /**
     * The JVM's start, to the millisecond; ~0.1 s after the process's exec on this machine. Not the process's start
     * (ProcessHandle): Linux gives it against a boot time in whole seconds, up to a second off.
     */
    private final long startMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
    private final Map<Phase, Double> reached = new EnumMap<>(Phase.class);
    private final Set<Phase> readyAwaits = EnumSet.of(Phase.WARMED_UP);
    private final AtomicBoolean answered = new AtomicBoolean();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    /** A request was answered before readiness was recorded: its first answer is counted at readiness. */
    private boolean answeredBeforeReady;

    ColdStart(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Readiness also waits for {@code phase} (the tokenizer, where the model has one). */
    public synchronized void readyAwaits(Phase phase) {
        readyAwaits.add(phase);
    }

    /** {@code phase} ended now; the first time only, as every phase of one process ends once. */
    public void reached(Phase phase) {
        boolean ready;
        boolean firstAnswer = false;
        synchronized (this) {
            if (reached.containsKey(phase)) {
                return;
            }
            double seconds = (System.currentTimeMillis() - startMillis) / 1000.0;
            record(phase, seconds);
            ready = phase != Phase.READY && !reached.containsKey(Phase.READY)
                    && reached.keySet().containsAll(readyAwaits);
            if (ready) {
                // the same instant as the phase that completed readiness, not a second clock reading
                record(Phase.READY, seconds);
                firstAnswer = answeredBeforeReady;
                if (firstAnswer) {
                    record(Phase.FIRST_ANSWER, seconds);
                }
            }
        }
        if (ready) {
            LOG.infof("Cold start: ready %s after the JVM started (%s)", seconds(Phase.READY), phasesBefore());
            this.ready.complete(null);
        }
        if (firstAnswer) {
            logFirstAnswer();
        }
    }

    /** Completes when readiness is reached: the model warmed up and the tokenizer (where it has one) loaded. */
    public CompletionStage<Void> whenReady() {
        return ready.minimalCompletionStage();
    }

    /** A request was answered: the first one ends the cold start as a waiting user sees it. */
    public void answered() {
        if (!answered.get() && answered.compareAndSet(false, true)) {
            synchronized (this) {
                if (!reached.containsKey(Phase.READY)) {
                    // A request that reached the model before readiness was recorded (the model serves a moment
                    // before it records its warm-up; v2 requests do not wait for the tokenizer): what a waiting user
                    // sees starts at readiness, and no phase may come before the one it follows.
                    answeredBeforeReady = true;
                    return;
                }
            }
            reached(Phase.FIRST_ANSWER);
            logFirstAnswer();
        }
    }

    private void logFirstAnswer() {
        LOG.infof("Cold start: first answer %s after the JVM started", seconds(Phase.FIRST_ANSWER));
    }

    /** When {@code phase} ended, in seconds since the JVM started; NaN while it has not. */
    public synchronized double secondsAt(Phase phase) {
        return reached.getOrDefault(phase, Double.NaN);
    }

    private void record(Phase phase, double seconds) {
        reached.put(phase, seconds);
        Gauge.builder("zeroserve.cold.start.phase", () -> seconds).baseUnit("seconds")
                .description("When each phase of this process's cold start ended, in seconds since the JVM started")
                .tag("phase", phase.label()).register(registry);
    }

    private synchronized String phasesBefore() {
        StringJoiner phases = new StringJoiner(", ");
        reached.forEach((phase, seconds) -> {
            if (phase != Phase.READY && phase != Phase.FIRST_ANSWER) {
                phases.add(phase.label() + " " + String.format(Locale.ROOT, "%.3f s", seconds));
            }
        });
        return phases.toString();
    }

    private String seconds(Phase phase) {
        return String.format(Locale.ROOT, "%.3f s", secondsAt(phase));
    }
}
