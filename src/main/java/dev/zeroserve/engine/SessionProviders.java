package dev.zeroserve.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProviderOptions;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import ai.onnxruntime.providers.OrtTensorRTProviderOptions;
import dev.zeroserve.config.ZeroserveConfig.ExecutionProvider;

/**
 * Appends the execution providers, with their options, to a session's options, and holds the native option objects
 * until the session is created. An option ONNX Runtime rejects fails with a message naming its configuration key; a
 * provider that cannot be added (its library or the GPU's driver missing) with the options it was given.
 */
final class SessionProviders implements AutoCloseable {
    private final List<OrtProviderOptions> held = new ArrayList<>();

    /**
     * @param options each GPU provider's options ({@link ProviderOptions#of}), device id included
     * @throws OrtException naming the provider and the configuration keys of the options it rejected, or all its
     *         options where ONNX Runtime's message names none
     */
    void append(OrtSession.SessionOptions session, List<ExecutionProvider> providers,
            Map<ExecutionProvider, Map<String, String>> options) throws OrtException {
        for (ExecutionProvider provider : providers) {
            switch (provider) {
                case TENSORRT -> {
                    OrtTensorRTProviderOptions tensorrt = hold(new OrtTensorRTProviderOptions());
                    configure(provider, options.get(provider), tensorrt::add, () -> session.addTensorrt(tensorrt));
                }
                case CUDA -> {
                    OrtCUDAProviderOptions cuda = hold(new OrtCUDAProviderOptions());
                    configure(provider, options.get(provider), cuda::add, () -> session.addCUDA(cuda));
                }
                case CPU -> {
                    // ONNX Runtime always runs on CPU what no earlier provider takes.
                }
            }
        }
    }

    private interface OptionSetter {
        void add(String key, String value) throws OrtException;
    }

    private interface Appender {
        void append() throws OrtException;
    }

    /** Sets the options and appends the provider, which is where ONNX Runtime parses and checks them. */
    private static void configure(ExecutionProvider provider, Map<String, String> values, OptionSetter setter,
            Appender appender) throws OrtException {
        try {
            for (Map.Entry<String, String> option : values.entrySet()) {
                setter.add(option.getKey(), option.getValue());
            }
            appender.append();
        } catch (OrtException e) {
            // Appending also loads the provider's library, whose failure names no option.
            String named = ProviderOptions.configKeysNamedIn(e.getMessage(), values);
            throw new OrtException("execution provider " + ProviderOptions.name(provider) + (named.isEmpty()
                    ? " could not be added with its options (" + ProviderOptions.describe(values) + ")"
                    : " rejected " + named) + ": " + e.getMessage());
        }
    }

    private <T extends OrtProviderOptions> T hold(T options) {
        held.add(options);
        return options;
    }

    @Override
    public void close() {
        held.forEach(OrtProviderOptions::close);
    }
}
