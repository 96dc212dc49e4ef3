/**
 * The serving API ({@link dev.zeroserve.serving.InferenceService}), the one thing the protocol adapters call: the
 * server's and the model's state, metadata, configuration and statistics, and inference on a decoded request or on
 * texts. It resolves the served model, validates once, turns requests into queue entries, admits or refuses them,
 * answers on the requesting side and counts the outcome. It knows no wire format and takes no callbacks.
 */
package dev.zeroserve.serving;
