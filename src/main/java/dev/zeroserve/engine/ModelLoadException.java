package dev.zeroserve.engine;

/** The model cannot be served; the message says why, naming the configuration key or tensor at fault. */
public class ModelLoadException extends RuntimeException {
    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
