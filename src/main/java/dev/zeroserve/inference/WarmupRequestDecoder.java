package dev.zeroserve.inference;

/**
 * Reads the warm-up file, a v2 JSON inference request body: implemented by the REST adapter, whose codec is the one
 * that reads that format, so that the lifecycle wires it without reaching up to it.
 */
public interface WarmupRequestDecoder {
    /**
     * @param maxElements the largest element count one input may declare (zeroserve.limits.max-elements)
     * @throws InferenceException INVALID_ARGUMENT naming what is malformed
     */
    InferenceRequest decode(byte[] body, ModelMetadata metadata, long maxElements);
}
