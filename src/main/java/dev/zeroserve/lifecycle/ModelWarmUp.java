package dev.zeroserve.lifecycle;

import java.util.List;
import java.util.Optional;

import org.jboss.logging.Logger;

import dev.zeroserve.config.ConfiguredUri;
import dev.zeroserve.config.ModelSource;
import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.engine.OnnxModel;
import dev.zeroserve.engine.WarmUp;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.RequestValidator;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.inference.TensorSpec;
import dev.zeroserve.inference.WarmupRequestDecoder;

/**
 * Which inputs the model is warmed up on before it reports ready, and what a failure means: the user's sample inputs,
 * whose failure stops start-up as a configuration error does, or else zeros, whose failure only costs the first
 * requests their speed (a model with a shape, scale or divisor input can refuse zeros and still serve every real
 * request).
 */
final class ModelWarmUp {
    private static final Logger LOG = Logger.getLogger(ModelWarmUp.class);
    private static final String INPUTS_URI = "zeroserve.warmup.inputs-uri";

    private final ZeroserveConfig.Warmup config;
    private final WarmupRequestDecoder decoder;
    private final long maxElements;

    ModelWarmUp(ZeroserveConfig.Warmup config, WarmupRequestDecoder decoder, long maxElements) {
        this.config = config;
        this.decoder = decoder;
        this.maxElements = maxElements;
    }

    /** Inputs the model ran at warm-up, and the outputs asked for. */
    record Sample(List<Tensor> inputs, List<String> outputs) {
    }

    /**
     * @param source where the model came from: sample inputs beside its file are used when configuration names none
     * @return what the model was warmed up on, or empty where it could not be
     * @throws IllegalArgumentException naming {@value #INPUTS_URI} when the model cannot run the sample inputs
     */
    Optional<Sample> run(OnnxModel loaded, ModelSource source, String modelName) {
        ModelMetadata metadata = loaded.metadata();
        Optional<String> samples = config.inputsUri().or(source::defaultWarmupUri);
        if (samples.isPresent()) {
            try {
                InferenceRequest request = decoder.decode(ConfiguredUri.readFile(INPUTS_URI, samples.get()),
                        metadata, maxElements);
                List<String> outputs = RequestValidator.validate(request, metadata);
                WarmUp.run(loaded, request.inputs(), outputs, config.iterations());
                return Optional.of(new Sample(request.inputs(), outputs));
            } catch (InferenceException e) {
                throw new IllegalArgumentException(INPUTS_URI + "=" + samples.get() + ": the model cannot be warmed "
                        + "up on these inputs: " + e.getMessage(), e);
            }
        }
        try {
            List<Tensor> inputs = WarmUp.zeroInputs(metadata, config.dynamicDimSize());
            List<String> outputs = metadata.outputs().stream().map(TensorSpec::name).toList();
            WarmUp.run(loaded, inputs, outputs, config.iterations());
            return Optional.of(new Sample(inputs, outputs));
        } catch (InferenceException e) {
            LOG.warnf("Model '%s' could not be warmed up on zero-filled inputs (%s); it is served without warm-up, so "
                    + "the first requests pay for ONNX Runtime's initialisation. Give it inputs it can run in a "
                    + "warmup.json beside the model file (zeroserve.warmup.inputs-uri), a v2 JSON inference request",
                    modelName, e.getMessage());
            return Optional.empty();
        }
    }
}
