package dev.zeroserve.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Collectors;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.zeroserve.config.ZeroserveConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;

/**
 * The accelerator meters, named as Triton names them ({@code nv_gpu_*}, one series per GPU, labelled
 * {@code gpu_uuid}). NVML is read on a timer by one daemon thread and the gauges report its last sample, so neither a
 * scrape nor a request ever waits for the driver; opening the library runs on that thread too, off the start-up path.
 */
@ApplicationScoped
public class GpuMetrics {
    private static final Logger LOG = Logger.getLogger(GpuMetrics.class);

    /** How one reading is taken from NVML. */
    @FunctionalInterface
    private interface Reader {
        double read(Nvml nvml, Nvml.Device device) throws Nvml.NvmlException;
    }

    enum Reading {
        UTILIZATION("nv_gpu_utilization", "GPU utilization rate [0.0 - 1.0)", Nvml::utilization),
        /** A board's memory does not change: read until once read, so each tick costs one memory query. */
        MEMORY_TOTAL("nv_gpu_memory_total_bytes", "GPU total memory, in bytes", (n, d) -> n.memory(d)[0], true),
        MEMORY_USED("nv_gpu_memory_used_bytes", "GPU used memory, in bytes", (n, d) -> n.memory(d)[2]),
        POWER_USAGE("nv_gpu_power_usage", "GPU power usage in watts", Nvml::powerWatts),
        POWER_LIMIT("nv_gpu_power_limit", "Maximum GPU power limit in watts", Nvml::powerLimitWatts),
        TEMPERATURE("nv_gpu_temperature_celsius", "GPU core temperature in degrees Celsius",
                Nvml::temperatureCelsius);

        final String meter;
        final String description;
        final Reader reader;
        final boolean constant;

        Reading(String meter, String description, Reader reader) {
            this(meter, description, reader, false);
        }

        Reading(String meter, String description, Reader reader, boolean constant) {
            this.meter = meter;
            this.description = description;
            this.reader = reader;
            this.constant = constant;
        }
    }

    private static final Reading[] READINGS = Reading.values();

    private final MeterRegistry registry;
    private final ZeroserveConfig.Gpu config;
    private ScheduledExecutorService sampler;
    /** Touched by the sampler thread only. */
    private Nvml nvml;
    private List<Nvml.Device> devices = List.of();
    /** The last sample: device × reading, as raw double bits; NaN where the last read failed. */
    private volatile AtomicLongArray samples = new AtomicLongArray(0);
    /** Device × reading: whether it has a gauge; the others are not read again. Touched by the sampler only. */
    private boolean[] sampled = new boolean[0];

    public GpuMetrics(MeterRegistry registry, ZeroserveConfig config) {
        this.registry = registry;
        this.config = config.gpu();
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.metrics()) {
            return;
        }
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "zeroserve-gpu-metrics");
            thread.setDaemon(true);
            return thread;
        });
        // Shut down before the delayed open ran (a short-lived process): it must not open NVML afterwards.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        sampler = executor;
        // One interval after start-up, when the first sample is due anyway: loading JNA and probing for NVML then
        // does not compete for the CPU with the model's load, which a cold start waits for.
        sampler.schedule(this::open, config.metricsInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void open() {
        String library = config.nvmlLibrary();
        try {
            nvml = Nvml.open(library);
            devices = nvml.devices();
        } catch (LinkageError | Nvml.NvmlException e) {
            // JNA lists every place it looked, one per line; the first says why.
            LOG.infof("No GPU meters: NVML (%s) is not usable here: %s", library,
                    String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            stop();
            return;
        }
        if (devices.isEmpty()) {
            LOG.infof("No GPU meters: NVML (%s) lists no GPU", library);
            stop();
            return;
        }
        samples = new AtomicLongArray(devices.size() * READINGS.length);
        sampled = new boolean[devices.size() * READINGS.length];
        List<String> unsupported = new ArrayList<>();
        for (Nvml.Device device : devices) {
            for (Reading reading : READINGS) {
                try {
                    store(device, reading, reading.reader.read(nvml, device));
                } catch (Nvml.NvmlException e) {
                    if (e.notSupported()) {
                        unsupported.add(reading.meter + " on GPU " + device.index());
                        continue;
                    }
                    store(device, reading, Double.NaN);
                }
                int slot = slot(device, reading);
                sampled[slot] = true;
                Gauge.builder(reading.meter, this, meters -> meters.sample(slot)).description(reading.description)
                        .tag("gpu_uuid", device.uuid()).register(registry);
            }
        }
        LOG.infof("GPU meters for %s, read every %s through NVML%s",
                devices.stream().map(d -> d.index() + ": " + d.name() + " " + d.uuid()).collect(Collectors.joining(", ")),
                config.metricsInterval(), unsupported.isEmpty() ? "" : "; not supported: " + unsupported);
        long every = config.metricsInterval().toMillis();
        sampler.scheduleAtFixedRate(this::sampleAll, every, every, TimeUnit.MILLISECONDS);
    }

    private void sampleAll() {
        for (Nvml.Device device : devices) {
            boolean lost = false;
            for (Reading reading : READINGS) {
                int slot = slot(device, reading);
                if (!sampled[slot] || reading.constant && !Double.isNaN(sample(slot))) {
                    continue;
                }
                double value;
                try {
                    value = reading.reader.read(nvml, device);
                } catch (Nvml.NvmlException e) {
                    // A failed reading shows a gap, not a stale value.
                    value = Double.NaN;
                    lost |= e.gpuLost();
                }
                store(device, reading, value);
            }
            if (lost) {
                // A GPU lost from the bus: all its series gap, not only those read after the loss was seen
                // (readings taken before it in this sample may predate it); the constant ones are read again once it
                // answers. Another failure (a reading the driver refuses) gaps that reading only.
                for (Reading reading : READINGS) {
                    if (sampled[slot(device, reading)]) {
                        store(device, reading, Double.NaN);
                    }
                }
            }
        }
    }

    private int slot(Nvml.Device device, Reading reading) {
        return device.index() * READINGS.length + reading.ordinal();
    }

    private void store(Nvml.Device device, Reading reading, double value) {
        samples.set(slot(device, reading), Double.doubleToRawLongBits(value));
    }

    private double sample(int slot) {
        return Double.longBitsToDouble(samples.get(slot));
    }

    private void stop() {
        sampler.shutdown();
        if (nvml != null) {
            nvml.close();
            nvml = null;
        }
    }

    @PreDestroy
    void close() {
        if (sampler != null && !sampler.isShutdown()) {
            sampler.execute(this::stop);
        }
    }
}
