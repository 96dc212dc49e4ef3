package dev.zeroserve.tools.plan;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

import dev.zeroserve.tools.bench.Percentiles;

/**
 * One Knative revision over a request trace, event by event: the KPA ({@link KpaDecider}) every two seconds on
 * one-second concurrency buckets ({@link MetricWindow}), the PodAutoscaler's scale-to-zero gate, the activator and
 * the queue-proxy, and pods that start in the measured cold start (plus a node boot when no node is free) and serve
 * as the measured capacity curve says. The Knative parts follow knative/serving 98e5ef90 ({@code knative-v1.23.0-5}):
 * <ul>
 * <li>metrics: the revision's total in-flight requests (activator and pods; {@code collector.go} subtracts what the
 * activator proxies so nothing counts twice), averaged per second, written while pods are ready or requests are
 * held; a request through the activator while the decider's last answer was zero pods is reported at once and
 * pokes the decider ({@code MultiScaler.Poke}), so a revision wakes without waiting for the next tick;</li>
 * <li>decisions every {@code tickInterval} (2 s, {@code multiscaler.go}), bounded by min-scale and max-scale;</li>
 * <li>scale to zero ({@code handleScaleToZero} in {@code pkg/reconciler/autoscaling/kpa/scaler.go}): an active
 * revision that wants zero pods is kept at one until active for a stable window, then marked inactive (pods
 * kept); it goes to zero once inactive for max(grace period, pod retention), or once the activator has been in
 * the path for the grace period and the retention has passed. That re-check happens at the next tick (Knative
 * re-queues it after 3 s);</li>
 * <li>the activator is in the path while no pod is ready, while the revision is inactive, and while the excess
 * burst capacity is negative (target-burst-capacity -1: always); it holds up to 10,000 requests and hands each
 * ready pod at most containerConcurrency at once, least loaded first. Otherwise requests go round-robin straight
 * to the pods' queue-proxies, which admit containerConcurrency and queue 10 × as many;</li>
 * <li>a request still waiting when its revision timeout passes is answered 504 and never runs; one that finishes
 * after it counts as a timeout too. Overflowing queues answer 503.</li>
 * </ul>
 * A pod with n requests in it completes {@link Capacity.Setting#throughputAt(double)} requests per second, shared
 * equally (processor sharing). Each request's work is drawn from a log-normal distribution whose p99 / p50 is the
 * measured one at the lowest concurrency, so the tail of a lone request is the measured one. Removed pods serve
 * what they hold, then take the queue-proxy's 30 s drain before they stop counting.
 */
final class ClusterSimulator {
    static final int ACTIVATOR_QUEUE_DEPTH = 10_000;
    static final int QUEUE_PROXY_DEPTH_FACTOR = 10;
    static final double DRAIN_SECONDS = 30;
    private static final double TICK_SECONDS = 2;
    private static final double EPSILON = 1e-9;

    /** How a pod comes up: the measured cold start, and a node boot when no node of the pool is free. */
    record PodStart(double coldStartSeconds, double nodeBootSeconds, double nodeRetentionSeconds) {
    }

    /** The KPA's view at one decision, for tests; {@code scaleTo} -1 where the pods were left as they were. */
    record Tick(double time, int readyPods, double stableConcurrency, double panicConcurrency, int decided,
            int excessBurstCapacity, boolean panicking, int scaleTo) {
    }

    record Result(int requests, int completed, double p50Ms, double p99Ms, double maxMs, int waitedForColdStart,
            int timeouts, int refused, double podSeconds, int podsStarted, int maxPods, double panicSeconds,
            double[] minuteReadyPods, double[] minuteP99Ms, List<Tick> ticks) {
        double cost(double pricePerPodHour) {
            return podSeconds / 3600 * pricePerPodHour;
        }
    }

    private enum PodState { STARTING, READY, DRAINING }

    private static final class Request {
        final double arrival;
        final double work;
        double finishWork;
        boolean waitedForColdStart;

        Request(double arrival, double work) {
            this.arrival = arrival;
            this.work = work;
        }
    }

    private final class Pod {
        final double readyAt;
        PodState state = PodState.STARTING;
        double workDone;
        double leavesAt = Double.POSITIVE_INFINITY;
        final PriorityQueue<Request> inService = new PriorityQueue<>((a, b) -> Double.compare(a.finishWork, b.finishWork));
        final ArrayDeque<Request> queued = new ArrayDeque<>();

        Pod(double readyAt) {
            this.readyAt = readyAt;
        }

        boolean hasSlot() {
            return autoscaling.containerConcurrency() == 0 || inService.size() < autoscaling.containerConcurrency();
        }

        double ratePerRequest() {
            int n = inService.size();
            return capacity.throughputAt(n) / n;
        }

        double nextEvent() {
            if (state == PodState.STARTING) {
                return readyAt;
            }
            if (!inService.isEmpty()) {
                return now + Math.max(0, inService.peek().finishWork - workDone) / ratePerRequest();
            }
            return leavesAt;
        }
    }

    private final Capacity.Setting capacity;
    private final Autoscaling autoscaling;
    private final PodStart podStart;
    private final double workSigma;
    private final Random random;
    private final boolean recordTicks;

    private final List<Pod> pods = new ArrayList<>();
    private final ArrayDeque<Request> activator = new ArrayDeque<>();
    private final List<Double> idleNodesReleasedAt = new ArrayList<>();
    private final MetricWindow stableWindow;
    private final MetricWindow panicWindow;
    private final KpaDecider decider;
    private final List<Tick> ticks = new ArrayList<>();
    private double now;
    private int inSystem;
    private double concurrencyThisSecond;
    private double excessBurstCapacity;
    /** The decider's last desired pods, before min-scale and max-scale: what Knative's Poke looks at. */
    private int lastDesired;
    private boolean active;
    /** When the revision became active; NaN while it activates (pods asked for, none ready yet). */
    private double activeSince;
    private double inactiveSince = Double.NEGATIVE_INFINITY;
    private boolean proxying;
    private double proxyingSince = Double.NEGATIVE_INFINITY;
    private int roundRobin;

    private double[] latenciesMs = new double[1024];
    private int completed;
    private int waitedForColdStart;
    private int timeouts;
    private int refused;
    private double podSeconds;
    private int podsStarted;
    private int maxPods;
    private double panicSeconds;
    private final List<Double> minuteReady = new ArrayList<>();
    private final List<Double> minuteP99 = new ArrayList<>();
    private double[] minuteLatencies = new double[256];
    private int minuteCount;
    private int minuteMaxReady;

    /**
     * {@code serviceTimeSpread}: p99 / p50 of one request alone (1 = every request the same work). The revision
     * starts at min-scale pods, ready and active as a long-running one is.
     */
    ClusterSimulator(Capacity.Setting capacity, Autoscaling autoscaling, PodStart podStart, double serviceTimeSpread,
            long seed, boolean recordTicks) {
        this.capacity = capacity;
        this.autoscaling = autoscaling;
        this.podStart = podStart;
        this.workSigma = Math.log(Math.max(1, serviceTimeSpread)) / 2.326;
        this.random = new Random(seed);
        this.recordTicks = recordTicks;
        this.stableWindow = new MetricWindow((int) Math.round(autoscaling.stableWindowSeconds()));
        this.panicWindow = new MetricWindow(autoscaling.panicWindowSeconds());
        for (int i = 0; i < autoscaling.minScale(); i++) {
            Pod pod = new Pod(Double.NEGATIVE_INFINITY);
            pod.state = PodState.READY;
            pods.add(pod);
        }
        this.maxPods = autoscaling.minScale();
        this.active = autoscaling.minScale() > 0;
        this.activeSince = Double.NEGATIVE_INFINITY;
        this.decider = new KpaDecider(autoscaling.deciderSpec(), autoscaling.minScale(), 0);
        this.excessBurstCapacity = burstCapacityAtRest();
        this.proxying = activatorInPath();
    }

    /** Runs the trace (sorted arrival times in seconds from 0) until {@code endSeconds} and the last answer. */
    Result run(double[] arrivals, double endSeconds) {
        int next = 0;
        double nextSecond = 1;
        while (true) {
            double arrival = next < arrivals.length ? arrivals[next] : Double.POSITIVE_INFINITY;
            Pod soonest = null;
            double podEvent = Double.POSITIVE_INFINITY;
            for (Pod pod : pods) {
                double t = pod.nextEvent();
                if (t < podEvent) {
                    podEvent = t;
                    soonest = pod;
                }
            }
            double t = Math.min(arrival, Math.min(podEvent, nextSecond));
            if (t > endSeconds && next >= arrivals.length && inSystem == 0) {
                advance(endSeconds);
                break;
            }
            advance(t);
            if (soonest != null && podEvent <= t) {
                podEvent(soonest);
            } else if (nextSecond <= t) {
                second((long) nextSecond);
                nextSecond++;
            } else {
                arrive(new Request(arrival, work()));
                next++;
            }
        }
        double[] latencies = Arrays.copyOf(latenciesMs, completed);
        return new Result(arrivals.length, completed, Percentiles.of(latencies, 50), Percentiles.of(latencies, 99),
                Percentiles.of(latencies, 100), waitedForColdStart, timeouts, refused, podSeconds, podsStarted,
                maxPods, panicSeconds, toArray(minuteReady), toArray(minuteP99), List.copyOf(ticks));
    }

    private double work() {
        return workSigma == 0 ? 1 : Math.exp(workSigma * random.nextGaussian() - workSigma * workSigma / 2);
    }

    private void advance(double t) {
        double dt = t - now;
        if (dt <= 0) {
            return;
        }
        concurrencyThisSecond += inSystem * dt;
        podSeconds += pods.size() * dt;
        if (decider.panicking()) {
            panicSeconds += dt;
        }
        for (Pod pod : pods) {
            if (!pod.inService.isEmpty()) {
                pod.workDone += dt * pod.ratePerRequest();
            }
        }
        now = t;
    }

    private void arrive(Request request) {
        inSystem++;
        if (proxying && lastDesired == 0) {
            // The activator reports the request at once, and the autoscaler pokes a decider whose last answer was
            // zero pods (MultiScaler.Poke).
            stableWindow.record((long) Math.floor(now), inSystem);
            panicWindow.record((long) Math.floor(now), inSystem);
            decide();
        }
        if (proxying) {
            if (activator.size() >= ACTIVATOR_QUEUE_DEPTH) {
                refuse();
                return;
            }
            activator.add(request);
            dispatchFromActivator();
            return;
        }
        List<Pod> ready = pods.stream().filter(p -> p.state == PodState.READY).toList();
        Pod pod = ready.get(Math.floorMod(roundRobin++, ready.size()));
        if (pod.hasSlot()) {
            start(pod, request);
        } else if (autoscaling.containerConcurrency() > 0
                && pod.queued.size() < QUEUE_PROXY_DEPTH_FACTOR * autoscaling.containerConcurrency()) {
            pod.queued.add(request);
        } else {
            refuse();
        }
    }

    private void refuse() {
        refused++;
        inSystem--;
    }

    private void podEvent(Pod pod) {
        if (pod.state == PodState.STARTING) {
            pod.state = PodState.READY;
            if (Double.isNaN(activeSince)) {
                activeSince = now; // activation done: the revision is active from its first ready pod
            }
            updateProxying();
            dispatchFromActivator();
            return;
        }
        if (pod.inService.isEmpty()) {
            pods.remove(pod); // drained
            idleNodesReleasedAt.add(now + podStart.nodeRetentionSeconds());
            return;
        }
        // This event is the head's completion, whatever rounding left of its work; its equals finish with it.
        double headFinish = pod.inService.peek().finishWork;
        pod.workDone = Math.max(pod.workDone, headFinish);
        while (!pod.inService.isEmpty() && pod.inService.peek().finishWork <= headFinish + EPSILON) {
            finish(pod.inService.poll());
        }
        while (pod.hasSlot() && !pod.queued.isEmpty()) {
            Request request = pod.queued.poll();
            if (!expired(request)) {
                start(pod, request);
            }
        }
        if (pod.state == PodState.DRAINING && pod.inService.isEmpty() && pod.queued.isEmpty()) {
            pod.leavesAt = now + DRAIN_SECONDS;
        }
        dispatchFromActivator();
    }

    private void finish(Request request) {
        inSystem--;
        double latencyMs = (now - request.arrival) * 1000;
        if (latencyMs > autoscaling.timeoutSeconds() * 1000) {
            timeouts++;
            return;
        }
        if (completed == latenciesMs.length) {
            latenciesMs = Arrays.copyOf(latenciesMs, completed * 2);
        }
        latenciesMs[completed++] = latencyMs;
        if (minuteCount == minuteLatencies.length) {
            minuteLatencies = Arrays.copyOf(minuteLatencies, minuteCount * 2);
        }
        minuteLatencies[minuteCount++] = latencyMs;
        if (request.waitedForColdStart) {
            waitedForColdStart++;
        }
    }

    private boolean expired(Request request) {
        if (now - request.arrival > autoscaling.timeoutSeconds()) {
            timeouts++;
            inSystem--;
            return true;
        }
        return false;
    }

    private void start(Pod pod, Request request) {
        request.waitedForColdStart = pod.readyAt > request.arrival;
        request.finishWork = pod.workDone + request.work;
        pod.inService.add(request);
    }

    private void dispatchFromActivator() {
        while (!activator.isEmpty()) {
            Pod target = null;
            for (Pod pod : pods) {
                if (pod.state == PodState.READY && pod.hasSlot()
                        && (target == null || pod.inService.size() < target.inService.size())) {
                    target = pod;
                }
            }
            if (target == null) {
                return;
            }
            Request request = activator.poll();
            if (!expired(request)) {
                start(target, request);
            }
        }
    }

    private void second(long second) {
        double concurrency = concurrencyThisSecond;
        concurrencyThisSecond = 0;
        if (readyPods() > 0 || concurrency > 0) {
            stableWindow.record(second, concurrency);
            panicWindow.record(second, concurrency);
        }
        while (!activator.isEmpty() && expired(activator.peek())) {
            activator.poll();
        }
        for (Pod pod : pods) {
            while (!pod.queued.isEmpty() && expired(pod.queued.peek())) {
                pod.queued.poll();
            }
        }
        if (second % (long) TICK_SECONDS == 0) {
            decide();
        }
        minuteMaxReady = Math.max(minuteMaxReady, readyPods());
        if (second % 60 == 0) {
            minuteReady.add((double) minuteMaxReady);
            minuteP99.add(minuteCount == 0 ? Double.NaN : Percentiles.of(Arrays.copyOf(minuteLatencies, minuteCount), 99));
            minuteCount = 0;
            minuteMaxReady = readyPods();
        }
    }

    private void decide() {
        int ready = readyPods();
        long second = (long) Math.floor(now);
        double stable = stableWindow.average(second);
        double panic = panicWindow.average(second);
        KpaDecider.Decision decision = decider.decide(now, ready, stable, panic);
        excessBurstCapacity = decision.excessBurstCapacity();
        lastDesired = decision.desiredPodCount();
        int want = Math.max(decision.desiredPodCount(), autoscaling.minScale());
        if (autoscaling.maxScale() > 0) {
            want = Math.min(want, autoscaling.maxScale());
        }
        int scaleTo = want == 0 ? scaleToZeroGate() : want;
        if (want > 0 && !active) {
            active = true;
            activeSince = ready > 0 ? now : Double.NaN;
        }
        if (scaleTo >= 0) {
            scale(scaleTo);
        }
        updateProxying();
        if (recordTicks) {
            ticks.add(new Tick(now, ready, stable, panic, decision.desiredPodCount(), decision.excessBurstCapacity(),
                    decision.panicking(), scaleTo));
        }
    }

    /** The pod count to set when the autoscaler wants none, or -1 to leave the pods as they are. */
    private int scaleToZeroGate() {
        if (active) {
            if (Double.isNaN(activeSince)) {
                return -1; // still activating
            }
            if (now - activeSince >= autoscaling.stableWindowSeconds()) {
                active = false;
                inactiveSince = now;
                return -1;
            }
            return 1;
        }
        double inactiveFor = now - inactiveSince;
        double retention = autoscaling.scaleToZeroPodRetentionSeconds();
        if (inactiveFor >= Math.max(autoscaling.scaleToZeroGracePeriodSeconds(), retention)) {
            return 0;
        }
        if (retention > 0 && inactiveFor < retention) {
            return -1;
        }
        return proxying && now - proxyingSince >= autoscaling.scaleToZeroGracePeriodSeconds() ? 0 : -1;
    }

    private void scale(int wanted) {
        List<Pod> serving = pods.stream().filter(p -> p.state != PodState.DRAINING).toList();
        for (int i = serving.size(); i < wanted; i++) {
            idleNodesReleasedAt.removeIf(releasedAt -> releasedAt <= now);
            double boot = podStart.nodeBootSeconds();
            if (!idleNodesReleasedAt.isEmpty()) {
                idleNodesReleasedAt.remove(0);
                boot = 0;
            }
            pods.add(new Pod(now + boot + podStart.coldStartSeconds()));
            podsStarted++;
        }
        maxPods = Math.max(maxPods, (int) pods.stream().filter(p -> p.state != PodState.DRAINING).count());
        int surplus = serving.size() - wanted;
        List<Pod> byPreference = new ArrayList<>(serving);
        // Pods still starting go first, then the least loaded.
        byPreference.sort((a, b) -> a.state != b.state ? (a.state == PodState.STARTING ? -1 : 1)
                : Integer.compare(a.inService.size() + a.queued.size(), b.inService.size() + b.queued.size()));
        for (int i = 0; i < surplus; i++) {
            Pod pod = byPreference.get(i);
            if (pod.state == PodState.STARTING) {
                pods.remove(pod);
                idleNodesReleasedAt.add(now + podStart.nodeRetentionSeconds());
            } else {
                pod.state = PodState.DRAINING;
                if (pod.inService.isEmpty() && pod.queued.isEmpty()) {
                    pod.leavesAt = now + DRAIN_SECONDS;
                }
            }
        }
    }

    private int readyPods() {
        int ready = 0;
        for (Pod pod : pods) {
            if (pod.state == PodState.READY) {
                ready++;
            }
        }
        return ready;
    }

    private boolean activatorInPath() {
        return readyPods() == 0 || !active || autoscaling.targetBurstCapacity() < 0 || excessBurstCapacity < 0;
    }

    private void updateProxying() {
        boolean inPath = activatorInPath();
        if (inPath && !proxying) {
            proxyingSince = now;
        }
        proxying = inPath;
        if (!proxying) {
            dispatchFromActivator();
        }
    }

    private double burstCapacityAtRest() {
        if (autoscaling.targetBurstCapacity() <= 0) {
            return autoscaling.targetBurstCapacity() == 0 ? 0 : -1;
        }
        return Math.floor(readyPods() * autoscaling.deciderSpec().totalValue() - autoscaling.targetBurstCapacity());
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
