package dev.zeroserve.config;

import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;

/**
 * The options of ONNX Runtime's GPU providers ({@code zeroserve.engine.tensorrt.*}, {@code zeroserve.engine.cuda.*}),
 * apart from {@link ZeroserveConfig} for its length; the defaults favour a fast cold start.
 */
public interface GpuProviders {

    interface TensorRt {
        /**
         * Whether built TensorRT engines are written to, and read back from, {@link #cacheDir()}: without it every
         * cold start builds them again (tens of seconds to minutes).
         */
        @WithDefault("true")
        boolean engineCache();

        /**
         * Whether TensorRT's timing cache (kernel timings, shared by engines of the same GPU) is kept in
         * {@link #cacheDir()}: it shortens the builds that the engine cache does not spare.
         */
        @WithDefault("true")
        boolean timingCache();

        /**
         * The directory of both caches: a volume every pod of the service mounts (a GCS FUSE bucket or a
         * ReadWriteMany volume) lets the second pod load what the first built.
         */
        @WithDefault("/tmp/zeroserve-tensorrt")
        String cacheDir();

        /**
         * Whether TensorRT may run layers in FP16, where the GPU has fast FP16 (ONNX Runtime turns it off where it
         * has not): answers then differ from FP32's in the third or fourth significant digit.
         */
        @WithDefault("true")
        boolean fp16();

        /** Whether TensorRT may run layers in INT8; needs {@link #int8CalibrationTable()}. */
        @WithDefault("false")
        boolean int8();

        /** The INT8 calibration table's file name, which ONNX Runtime reads from {@link #cacheDir()}. */
        Optional<String> int8CalibrationTable();

        /** Most GPU memory TensorRT may use as scratch space while it builds and runs an engine. */
        @WithDefault("1G")
        MemorySize maxWorkspaceSize();

        /**
         * Whether the optimization profile (min, opt and max shapes of the dynamic inputs) is derived from the model
         * and the batcher, so that no batch shape makes TensorRT build an engine while serving. Off, ONNX Runtime
         * builds for the shapes it meets, again for every shape outside those it has seen.
         */
        @WithDefault("true")
        boolean profiles();
    }

    interface Cuda {
        /**
         * How cuDNN picks convolution algorithms: {@code heuristic} at once; {@code exhaustive} benchmarks every
         * algorithm on the first run of each shape (seconds on a convolutional model's first request).
         */
        @WithDefault("heuristic")
        ConvAlgoSearch cudnnConvAlgoSearch();

        /** How the GPU memory arena grows: by what is asked for, or to the next power of two. */
        @WithDefault("same-as-requested")
        ArenaExtendStrategy arenaExtendStrategy();

        /** Most GPU memory the CUDA provider's arena may hold; by default ONNX Runtime's (no limit). */
        Optional<MemorySize> gpuMemLimit();

        /**
         * Whether the model's run is captured once as a CUDA graph and replayed: only for models without dynamic
         * dimensions, as the graph holds the shapes of its capture.
         */
        @WithDefault("false")
        boolean cudaGraph();
    }

    enum ConvAlgoSearch {
        HEURISTIC,
        EXHAUSTIVE,
        DEFAULT
    }

    enum ArenaExtendStrategy {
        SAME_AS_REQUESTED,
        NEXT_POWER_OF_TWO
    }
}
