package dev.zeroserve.api.openai;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import dev.zeroserve.api.FloatText;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** An embedding's floats as shortest round-trip numbers written straight into the output, or its base64 text. */
@RegisterForReflection
public final class EmbeddingValues extends StdSerializer<Object> {
    public EmbeddingValues() {
        super(Object.class);
    }

    @Override
    public void serialize(Object value, JsonGenerator json, SerializerProvider provider) throws IOException {
        if (!(value instanceof float[] vector)) {
            json.writeString((String) value);
            return;
        }
        FloatText.Scratch scratch = new FloatText.Scratch();
        json.writeStartArray(vector, vector.length);
        for (float element : vector) {
            FloatText.writeJson(json, element, scratch);
        }
        json.writeEndArray();
    }
}
