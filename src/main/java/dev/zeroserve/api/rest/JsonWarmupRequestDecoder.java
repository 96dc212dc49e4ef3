package dev.zeroserve.api.rest;

import jakarta.enterprise.context.ApplicationScoped;

import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.WarmupRequestDecoder;

/** The warm-up file is read as the body of a v2 JSON inference request (binary inputs excepted). */
@ApplicationScoped
public class JsonWarmupRequestDecoder implements WarmupRequestDecoder {
    @Override
    public InferenceRequest decode(byte[] body, ModelMetadata metadata, long maxElements) {
        return JsonInferenceCodec.decodeRequest(body, body.length, metadata.name(), metadata.version(), maxElements);
    }
}
