package dev.zeroserve.lifecycle;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.zeroserve.config.GpuProviders;
import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.engine.ProviderOptions;
import dev.zeroserve.engine.TensorRtCacheFiles;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.metrics.InferenceMetrics;
import io.quarkus.runtime.Quarkus;
import io.vertx.ext.web.Router;

/**
 * {@code zeroserve.warmup.exit-when-ready}: a run that only prepares. Once the model is ready (loaded, which builds
 * TensorRT's engines into the cache, and warmed up) it logs what it prepared and exits, 0 when the model runs on the
 * first execution provider asked for. A Kubernetes Job, or an image build on a GPU builder, so fills the engine cache
 * that every later cold start reads instead of building.
 */
@ApplicationScoped
public class ExitWhenReady {
    private static final Logger LOG = Logger.getLogger(ExitWhenReady.class);

    private final ZeroserveConfig.Engine engine;
    private final boolean enabled;
    private final InferenceMetrics metrics;
    private final ModelLifecycle lifecycle;

    public ExitWhenReady(ZeroserveConfig config, InferenceMetrics metrics, ModelLifecycle lifecycle) {
        this.engine = config.engine();
        this.enabled = config.warmup().exitWhenReady();
        this.metrics = metrics;
        this.lifecycle = lifecycle;
    }

    /** Registered as the model's load starts (the same event), so that readiness cannot pass unseen. */
    void onStart(@Observes Router router) {
        if (enabled) {
            metrics.coldStart().whenReady().thenRun(this::exit);
        }
    }

    private void exit() {
        ModelMetadata metadata = lifecycle.resolve(lifecycle.modelName(), null).metadata();
        String running = metadata.properties().get(ModelMetadata.EXECUTION_PROVIDER);
        ZeroserveConfig.ExecutionProvider asked = engine.executionProviders().get(0);
        String cache = "";
        if (running.equals(ProviderOptions.name(ZeroserveConfig.ExecutionProvider.TENSORRT))) {
            GpuProviders.TensorRt tensorrt = engine.tensorrt();
            cache = tensorrt.engineCache() ? "; TensorRT cache " + TensorRtCacheFiles.describe(
                    Path.of(tensorrt.cacheDir()), Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean()
                            .getStartTime()))
                    : "; zeroserve.engine.tensorrt.engine-cache is off, so nothing was kept";
        }
        if (!running.equals(ProviderOptions.name(asked))) {
            LOG.errorf("Model '%s' was prepared on %s, not on %s, the first of zeroserve.engine.execution-providers: "
                    + "nothing was prepared for %s%s; exiting 1", lifecycle.modelName(), running,
                    ProviderOptions.name(asked), ProviderOptions.name(asked), cache);
            Quarkus.asyncExit(1);
            return;
        }
        LOG.infof("Model '%s' version %s prepared on %s%s; exiting, as zeroserve.warmup.exit-when-ready asks",
                lifecycle.modelName(), metadata.version(), running, cache);
        Quarkus.asyncExit(0);
    }
}
