package dev.zeroserve;

import ai.onnxruntime.OrtEnvironment;
import dev.zeroserve.lifecycle.OptimizingCompilerHold;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Starts Quarkus, and meanwhile loads ONNX Runtime's native library (60–200 ms) on its own thread, so that the model
 * load after start-up finds it ready: every scale-from-zero waits for this path; and keeps the JVM's optimizing
 * compiler out of the start ({@link OptimizingCompilerHold}).
 */
@QuarkusMain
public final class Main {
    private Main() {
    }

    public static void main(String... args) {
        Thread preload = new Thread(Main::loadOnnxRuntime, "zeroserve-onnxruntime-preload");
        preload.setDaemon(true);
        preload.start();
        OptimizingCompilerHold.holdBack();
        Quarkus.run(args);
    }

    private static void loadOnnxRuntime() {
        try {
            OrtEnvironment.getEnvironment();
        } catch (RuntimeException | LinkageError e) {
            // The model loader meets the same failure and reports it with the model's name and providers.
        }
    }
}
