package dev.zeroserve.metrics;

import java.util.Locale;

/**
 * Prints what the GPU meters would report, one line per GPU, through the same {@link Nvml} binding, for comparison
 * with nvidia-smi on a machine with an NVIDIA driver (src/tools/scripts/nvml-check.sh).
 * Usage: NvmlReadings [library], default libnvidia-ml.so.1.
 */
public final class NvmlReadings {
    private NvmlReadings() {
    }

    public static void main(String[] args) throws Exception {
        String library = args.length > 0 ? args[0] : "libnvidia-ml.so.1";
        try (Nvml nvml = Nvml.open(library)) {
            for (Nvml.Device device : nvml.devices()) {
                long[] memory = nvml.memory(device);
                System.out.printf(Locale.ROOT, "%s, %s, utilization %.2f, memory total %d MiB, used %d MiB, "
                        + "power %s W, limit %s W, temperature %.0f C%n", device.uuid(), device.name(),
                        nvml.utilization(device), memory[0] >> 20, memory[2] >> 20, orNotSupported(nvml, device,
                                true), orNotSupported(nvml, device, false), nvml.temperatureCelsius(device));
            }
        }
    }

    private static String orNotSupported(Nvml nvml, Nvml.Device device, boolean usage) throws Nvml.NvmlException {
        try {
            return String.format(Locale.ROOT, "%.2f", usage ? nvml.powerWatts(device) : nvml.powerLimitWatts(device));
        } catch (Nvml.NvmlException e) {
            if (e.notSupported()) {
                return "n/a";
            }
            throw e;
        }
    }
}
