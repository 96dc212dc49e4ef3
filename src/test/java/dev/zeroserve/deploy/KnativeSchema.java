package dev.zeroserve.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * The Knative Serving v1.23 {@code services.serving.knative.dev} CRD schema (copied from knative/serving, Apache 2.0),
 * checked as the API server does with strict field validation ({@code kubectl apply}'s default): an object schema
 * that lists its properties and does not preserve unknown fields rejects any other field.
 */
final class KnativeSchema {
    private final JsonSchema schema;

    private KnativeSchema(JsonSchema schema) {
        this.schema = schema;
    }

    static KnativeSchema load() throws IOException {
        try (InputStream crd = KnativeSchema.class.getResourceAsStream("/knative/services.serving.knative.dev.yaml")) {
            JsonNode definition = new ObjectMapper(new YAMLFactory()).readTree(crd);
            JsonNode openApi = definition.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
            rejectUnknownFields(openApi);
            return new KnativeSchema(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApi));
        }
    }

    Set<ValidationMessage> validate(JsonNode service) {
        return schema.validate(service);
    }

    private static void rejectUnknownFields(JsonNode node) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            if (object.has("properties") && !object.has("additionalProperties")
                    && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                object.put("additionalProperties", false);
            }
        }
        for (Iterator<JsonNode> children = node.elements(); children.hasNext();) {
            rejectUnknownFields(children.next());
        }
    }
}
