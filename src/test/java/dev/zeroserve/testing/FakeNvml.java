package dev.zeroserve.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** src/test/c/fake-nvml.c built into a libnvidia-ml.so.1 of its own, once per test JVM. */
public final class FakeNvml {
    private static final Path SOURCE = Path.of("src/test/c/fake-nvml.c");
    private static final Path LIBRARY = Path.of("target/fake-nvml/libnvidia-ml.so.1").toAbsolutePath();

    /** The fake's own entry points, which change what the "driver" answers. */
    public interface Control extends Library {
        void fake_nvml_set_init_result(int result);

        void fake_nvml_set_utilization(int device, int percent);

        void fake_nvml_set_memory_used(int device, long bytes);

        /** A GPU fallen off the bus: every query about it fails with NVML_ERROR_GPU_IS_LOST until set back. */
        void fake_nvml_set_lost(int device, int lost);

        /** The power reading of a GPU fails with this NVML error (0: it answers again), the GPU itself answering. */
        void fake_nvml_set_power_error(int device, int result);

        /** How many nvmlInit_v2 calls have not been matched by nvmlShutdown. */
        int fake_nvml_initialised();

        /** How many times nvmlDeviceGetMemoryInfo has been called, for any device. */
        long fake_nvml_memory_info_calls();

        /** How many times nvmlDeviceGetUtilizationRates has been called: once per GPU per sample. */
        long fake_nvml_utilization_calls();
    }

    private FakeNvml() {
    }

    public static synchronized String library() {
        Path compiler = ExternalTools.require("cc", "gcc");
        try {
            if (!Files.exists(LIBRARY) || Files.getLastModifiedTime(LIBRARY).compareTo(
                    Files.getLastModifiedTime(SOURCE)) < 0) {
                Files.createDirectories(LIBRARY.getParent());
                Process cc = new ProcessBuilder(compiler.toString(), "-shared", "-fPIC", "-O1", "-Wall", "-Werror",
                        "-o", LIBRARY.toString(), SOURCE.toString()).inheritIO().start();
                if (!cc.waitFor(60, TimeUnit.SECONDS) || cc.exitValue() != 0) {
                    throw new IllegalStateException("cc could not build " + SOURCE);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("building " + LIBRARY, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return LIBRARY.toString();
    }

    public static Control control() {
        return Native.load(library(), Control.class);
    }
}
