package dev.zeroserve.inference;

import java.util.List;

/**
 * The result of one request.
 *
 * @param id the request's id, or null
 * @param outputs in the order the client asked for them, or the model's order when it asked for all
 */
public record InferenceResponse(String modelName, String modelVersion, String id, List<Tensor> outputs) {
}
