package dev.zeroserve.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.PackagedService;

/**
 * {@code zeroserve.warmup.exit-when-ready}, the run a Kubernetes Job uses to fill the TensorRT engine cache: the
 * packaged service loads and warms up the model, says what it prepared, and exits by itself; with an exit status
 * that fails the Job where the model did not run on the provider asked for.
 */
class ExitWhenReadyIT {
    private static final Duration WITHIN = Duration.ofSeconds(60);

    @TempDir
    Path directory;

    @Test
    void preparesTheModelAndExitsZero() throws Exception {
        Path log = directory.resolve("prepare.log");

        int status = PackagedService.runToExit(log, List.of("zeroserve.warmup.exit-when-ready=true"), WITHIN);

        String output = Files.readString(log);
        assertThat(status).as("exit status; log:\n%s", output).isZero();
        assertThat(output).contains("Cold start: ready", "Model '" + BundledModelRequests.MODEL + "' version 1 prepared on cpu; "
                + "exiting, as zeroserve.warmup.exit-when-ready asks");
    }

    @Test
    void aModelThatFellBackToCpuFromTensorRtExitsOne() throws Exception {
        Path log = directory.resolve("fallback.log");

        int status = PackagedService.runToExit(log, List.of("zeroserve.warmup.exit-when-ready=true",
                "zeroserve.engine.execution-providers=tensorrt,cpu", "zeroserve.engine.gpu-fallback=cpu",
                "zeroserve.engine.tensorrt.cache-dir=" + directory.resolve("cache")), WITHIN);

        String output = Files.readString(log);
        assertThat(status).as("exit status; log:\n%s", output).isEqualTo(1);
        assertThat(output).contains("Model '" + BundledModelRequests.MODEL + "' was not prepared: it runs on cpu, not on "
                + "tensorrt, the first of zeroserve.engine.execution-providers; exiting 1");
    }
}
