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
 * first execution provider asked for and, on TensorRT, an engine is in the cache directory; 1 otherwise or on any
 * error. A Kubernetes Job, or an image build on a GPU builder, so fills the engine cache that every later cold start
 * reads instead of building.
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
        try {
            Quarkus.asyncExit(prepared() ? 0 : 1);
        } catch (RuntimeException | Error e) {
            LOG.error("Could not say what was prepared; exiting 1", e);
            Quarkus.asyncExit(1);
        }
    }

    /** @return whether the model runs on the provider asked for and, on TensorRT, an engine is in the cache */
    private boolean prepared() {
        ModelMetadata metadata = lifecycle.resolve(lifecycle.modelName(), null).metadata();
        String running = metadata.properties().get(ModelMetadata.EXECUTION_PROVIDER);
        String asked = ProviderOptions.name(engine.executionProviders().get(0));
        String failure = null;
        String cache = "";
        if (running.equals(ProviderOptions.name(ZeroserveConfig.ExecutionProvider.TENSORRT))) {
            GpuProviders.TensorRt tensorrt = engine.tensorrt();
            if (!tensorrt.engineCache()) {
                failure = "zeroserve.engine.tensorrt.engine-cache is off, so no engine was kept";
            } else {
                TensorRtCacheFiles files = TensorRtCacheFiles.list(Path.of(tensorrt.cacheDir()),
                        Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()));
                cache = "; TensorRT cache " + files.describe();
                if (!files.holdsEngine()) {
                    failure = "no TensorRT engine is in the cache directory" + cache;
                } else if (!files.wroteEngine()) {
                    // A rerun with unchanged settings loads the engine it finds; after a change, a silently failed
                    // write would leave the old one there, so say that nothing was built.
                    LOG.warnf("This load wrote no TensorRT engine: the one found was used as it is (delete the "
                            + "cache directory's files to build anew)%s", cache);
                }
            }
        }
        if (!running.equals(asked)) {
            failure = "it runs on " + running + ", not on " + asked
                    + ", the first of zeroserve.engine.execution-providers" + cache;
        }
        if (failure != null) {
            LOG.errorf("Model '%s' was not prepared: %s; exiting 1", lifecycle.modelName(), failure);
            return false;
        }
        LOG.infof("Model '%s' version %s prepared on %s%s; exiting, as zeroserve.warmup.exit-when-ready asks",
                lifecycle.modelName(), metadata.version(), running, cache);
        return true;
    }
}
