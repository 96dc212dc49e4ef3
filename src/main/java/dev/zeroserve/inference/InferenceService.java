package dev.zeroserve.inference;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.zeroserve.engine.OnnxModel;
import dev.zeroserve.lifecycle.ModelLifecycle;

/** Where every protocol adapter sends its requests: resolves the model, validates, runs. */
@ApplicationScoped
public class InferenceService {
    private final ModelLifecycle lifecycle;

    InferenceService(ModelLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    public InferenceResponse infer(InferenceRequest request) {
        OnnxModel model = lifecycle.resolve(request.modelName(), request.modelVersion());
        List<String> outputs = RequestValidator.validate(request, model.metadata());
        if (request.deadlinePassed(System.nanoTime())) {
            throw new InferenceException(Status.DEADLINE_EXCEEDED, "the request's deadline passed before it ran");
        }
        List<Tensor> results = model.run(request.inputs(), outputs);
        return new InferenceResponse(model.metadata().name(), model.metadata().version(), request.id(), results);
    }
}
