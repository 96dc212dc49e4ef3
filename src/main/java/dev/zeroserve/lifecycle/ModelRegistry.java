package dev.zeroserve.lifecycle;

import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.Status;
import dev.zeroserve.lifecycle.ModelLifecycle.State;

/**
 * The one model this server serves, by name: its state, and the served model once it is ready. Answers which model a
 * request names, and whether the server is live.
 */
final class ModelRegistry {
    private final String modelName;
    private volatile State state = State.LOADING;
    private volatile ServedModel served;

    ModelRegistry(String modelName) {
        this.modelName = modelName;
    }

    String modelName() {
        return modelName;
    }

    State state() {
        return state;
    }

    /** The served model, or null before it is ready. */
    ServedModel served() {
        return served;
    }

    void ready(ServedModel model) {
        served = model;
        state = State.READY;
    }

    void failed() {
        state = State.FAILED;
    }

    /** Moves a ready model to draining and returns it; null (and no change) if it is not ready. */
    ServedModel startDraining() {
        ServedModel current = served;
        if (state != State.READY || current == null) {
            return null;
        }
        state = State.DRAINING;
        return current;
    }

    /** Live unless the model failed to load: the one answer the liveness probe, v2 REST and gRPC give. */
    boolean isLive() {
        return state != State.FAILED;
    }

    /**
     * @param version the requested version, or null for the served one
     * @throws InferenceException NOT_FOUND for another name or version, UNAVAILABLE while it is not ready
     */
    ServedModel resolve(String name, String version) {
        if (!name.equals(modelName)) {
            throw new InferenceException(Status.NOT_FOUND, "unknown model '" + name + "'; this server serves '"
                    + modelName + "'");
        }
        ServedModel ready = served;
        if (ready == null) {
            throw new InferenceException(Status.UNAVAILABLE, "model '" + name + "' is not ready ("
                    + state.name().toLowerCase() + ")");
        }
        if (version != null && !version.equals(ready.metadata().version())) {
            throw new InferenceException(Status.NOT_FOUND, "unknown version '" + version + "' of model '" + name
                    + "'; the served version is '" + ready.metadata().version() + "'");
        }
        return ready;
    }
}
