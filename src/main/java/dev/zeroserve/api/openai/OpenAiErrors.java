package dev.zeroserve.api.openai;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * OpenAI's error shape, {@code {"error": {"message", "type", "param", "code"}}}, for every failure under
 * {@value #PATH}: OpenAI's SDKs parse it, whichever layer (resource, router, size limit) refused the request.
 */
public final class OpenAiErrors {
    public static final String PATH = "/v1/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private OpenAiErrors() {
    }

    /** Whether a request path belongs to the OpenAI-compatible API. */
    public static boolean covers(String path) {
        return path != null && path.startsWith(PATH);
    }

    public static Response response(int status, String message, String param, String code) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body(status, message, param, code))
                .build();
    }

    /** The error document as JSON text, for handlers that answer outside JAX-RS. */
    public static String json(int status, String message) {
        try {
            return JSON.writeValueAsString(body(status, message, null, null));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an error document of strings cannot fail to serialise", e);
        }
    }

    private static OpenAiJson.ErrorBody body(int status, String message, String param, String code) {
        String type = status >= 500 ? "server_error" : "invalid_request_error";
        return new OpenAiJson.ErrorBody(new OpenAiJson.Error(message, type, param, code));
    }
}
