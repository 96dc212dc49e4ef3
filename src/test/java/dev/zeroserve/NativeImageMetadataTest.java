package dev.zeroserve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What a native executable needs registered and the build cannot see: the Java classes that the JNI libraries of
 * ONNX Runtime and DJL's tokenizers look up by name, and the JSON documents Jackson writes by reflection.
 */
class NativeImageMetadataTest {
    private static final String JNI_CONFIG = "META-INF/native-image/dev.zeroserve/zeroserve/jni-config.json";
    /** Class names as JNI spells them, in a library's constant strings or method signatures. */
    private static final Pattern JNI_CLASS_NAME = Pattern.compile("(?:ai/onnxruntime|ai/djl|java)/[A-Za-z0-9_/$]+");

    @Test
    void everyClassOnnxRuntimesJniLibraryLooksUpIsRegistered() throws IOException {
        // C strings end where the name ends: each must be registered exactly.
        Set<String> registered = registeredJniClasses();
        assertThat(classNamesIn("ai/onnxruntime/native/linux-x64/libonnxruntime4j_jni.so"))
                .isNotEmpty().allSatisfy(name -> assertThat(registered).contains(name));
    }

    @Test
    void everyClassTheTokenizersLibraryLooksUpIsRegistered() throws IOException {
        // Rust strings are not terminated, so a name runs into the text after it: each must start with a registered one.
        Set<String> registered = registeredJniClasses();
        assertThat(classNamesIn("native/lib/linux-x86_64/cpu/libtokenizers.so")).isNotEmpty()
                .allSatisfy(name -> assertThat(registered).anyMatch(name::startsWith));
    }

    @Test
    void everyRegisteredJniClassExists() throws Exception {
        for (String name : registeredJniClasses()) {
            Class.forName(name.replace('/', '.'), false, getClass().getClassLoader());
        }
    }

    @Test
    void everyJsonDocumentIsRegisteredForReflection() throws ClassNotFoundException {
        for (String holder : List.of("dev.zeroserve.api.rest.V2Json", "dev.zeroserve.api.openai.OpenAiJson")) {
            Class<?> documents = Class.forName(holder);
            Set<Class<?>> records = Arrays.stream(documents.getDeclaredClasses()).filter(Class::isRecord)
                    .collect(Collectors.toSet());
            assertThat(records).as(holder).isNotEmpty();
            assertThat(documents.getAnnotation(RegisterForReflection.class)).as(holder).isNotNull();
            assertThat(Set.of(documents.getAnnotation(RegisterForReflection.class).targets())).as(holder)
                    .isEqualTo(records);
        }
    }

    private Set<String> registeredJniClasses() throws IOException {
        Set<String> names = new TreeSet<>();
        for (JsonNode entry : new ObjectMapper().readTree(resource(JNI_CONFIG))) {
            names.add(entry.get("name").asText().replace('.', '/'));
        }
        return names;
    }

    private Set<String> classNamesIn(String library) throws IOException {
        Matcher names = JNI_CLASS_NAME.matcher(new String(resource(library), StandardCharsets.ISO_8859_1));
        Set<String> found = new TreeSet<>();
        while (names.find()) {
            found.add(names.group());
        }
        return found;
    }

    private byte[] resource(String path) throws IOException {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return in.readAllBytes();
        }
    }
}
