package dev.zeroserve.lifecycle;

import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.ModelMetadata;

/**
 * Reads the warm-up file, a v2 JSON inference request body: implemented by the REST adapter, whose codec is the one
 * that reads that format, so that lifecycle wires it without reaching up to it.
 */
public interface WarmupRequestDecoder {
    /** @throws dev.zeroserve.inference.InferenceException INVALID_ARGUMENT naming what is malformed */
    InferenceRequest decode(byte[] body, ModelMetadata metadata);
}
