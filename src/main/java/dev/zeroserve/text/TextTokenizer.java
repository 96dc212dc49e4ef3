package dev.zeroserve.text;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import dev.zeroserve.config.ConfiguredUri;

/**
 * A model's HuggingFace tokenizer ({@code tokenizer.json}) through DJL's bindings to the Rust library: text to token
 * ids, special tokens added, never padded (the batcher pads), cut at the maximum length.
 */
public final class TextTokenizer implements AutoCloseable {
    static {
        // DJL copies its native library out of the jar into ~/.djl.ai, and downloads one when the jar has none for
        // the platform. Keep it offline and in the temporary directory, where ONNX Runtime unpacks its own, unless
        // the operator chose a cache directory.
        if (System.getenv("DJL_CACHE_DIR") == null && System.getProperty("DJL_CACHE_DIR") == null
                && System.getenv("ENGINE_CACHE_DIR") == null && System.getProperty("ENGINE_CACHE_DIR") == null) {
            System.setProperty("ENGINE_CACHE_DIR", Path.of(System.getProperty("java.io.tmpdir"), "zeroserve-djl")
                    .toString());
        }
        if (System.getenv("DJL_OFFLINE") == null && System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    /** One text's tokens. {@code truncated} tells that the text had more tokens than the maximum length. */
    public record Tokens(long[] ids, long[] typeIds, boolean truncated) {
    }

    private final HuggingFaceTokenizer tokenizer;
    private final String uri;
    private final int vocabularySize;
    private final long padId;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, String uri, int vocabularySize, long padId) {
        this.tokenizer = tokenizer;
        this.uri = uri;
        this.vocabularySize = vocabularySize;
        this.padId = padId;
    }

    /**
     * @param uri {@code classpath:<resource>} or {@code file:<path>} of a {@code tokenizer.json}
     * @throws IllegalArgumentException naming {@code zeroserve.embeddings.tokenizer-uri} if it cannot be read
     */
    public static TextTokenizer load(String uri, int maxLength) {
        byte[] json = ConfiguredUri.read("zeroserve.embeddings.tokenizer-uri", uri);
        try {
            Vocabulary vocabulary = Vocabulary.read(json);
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json),
                    Map.of("padding", "false", "truncation", "true", "maxLength", Integer.toString(maxLength)));
            return new TextTokenizer(tokenizer, uri, vocabulary.size(), vocabulary.padId());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("zeroserve.embeddings.tokenizer-uri=" + uri
                    + ": not a HuggingFace tokenizer.json: " + e.getMessage(), e);
        }
    }

    /**
     * What the tokenizer's own API does not tell: how many token ids there are, and the pad id. Read by streaming
     * over the file, as building a tree of its 30 000 vocabulary entries would cost a cold start a third of a second.
     *
     * @param size one more than the largest id of the vocabulary and the added tokens: ids from 0 below it are valid
     */
    private record Vocabulary(int size, long padId) {
        /**
         * Field names not canonicalized: the vocabulary's 30 000 pieces are names read once, and interning them cost
         * the cold start twice the time of the whole read (~80 ms of a core).
         */
        private static final JsonFactory VOCABULARY_JSON = JsonFactory.builder()
                .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build();

        static Vocabulary read(byte[] json) throws IOException {
            int size = 0;
            long padId = 0;
            try (JsonParser parser = VOCABULARY_JSON.createParser(json)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    throw new IOException("it is not a JSON object");
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (field.equals("model") && value == JsonToken.START_OBJECT) {
                        size = Math.max(size, modelVocabularySize(parser));
                    } else if (field.equals("added_tokens") && value == JsonToken.START_ARRAY) {
                        while (parser.nextToken() == JsonToken.START_OBJECT) {
                            size = Math.max(size, (int) numberField(parser, "id") + 1);
                        }
                    } else if (field.equals("padding") && value == JsonToken.START_OBJECT) {
                        padId = numberField(parser, "pad_id");
                    } else {
                        parser.skipChildren();
                    }
                }
            }
            if (size == 0) {
                throw new IOException("it has no vocabulary");
            }
            return new Vocabulary(size, padId);
        }

        /** WordPiece and BPE map pieces to ids; Unigram lists [piece, score] pairs, the id being the position. */
        private static int modelVocabularySize(JsonParser parser) throws IOException {
            int size = 0;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("vocab") && value == JsonToken.START_OBJECT) {
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        parser.nextToken();
                        size = Math.max(size, parser.getIntValue() + 1);
                    }
                } else if (field.equals("vocab") && value == JsonToken.START_ARRAY) {
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        parser.skipChildren();
                        size++;
                    }
                } else {
                    parser.skipChildren();
                }
            }
            return size;
        }

        /** The number in {@code name} of the object the parser is in, which it reads to its end; 0 if absent. */
        private static long numberField(JsonParser parser, String name) throws IOException {
            long number = 0;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals(name) && value == JsonToken.VALUE_NUMBER_INT) {
                    number = parser.getLongValue();
                } else {
                    parser.skipChildren();
                }
            }
            return number;
        }
    }

    /**
     * Tokens of each text, in order, with the tokenizer's special tokens ([CLS] ... [SEP] for BERT). DJL's JNI calls
     * are made directly, for only what the model takes: its {@code Encoding} also copies out every token's text, word
     * and sequence ids, masks and character spans, 35 % of the time of a short sentence (79 → 51 µs, measured). Texts
     * are encoded one after another on the calling thread: the library's batch call hands two or more to its own
     * thread pool and waits, which would hold an event loop and compete with ONNX Runtime's threads for the cores.
     */
    public Tokens[] encode(List<String> texts) {
        TokenizersLibrary jni = TokenizersLibrary.LIB;
        long handle = tokenizer.getHandle();
        Tokens[] tokens = new Tokens[texts.size()];
        for (int i = 0; i < tokens.length; i++) {
            long encoding = jni.encode(handle, Objects.requireNonNull(texts.get(i), "text"), true);
            try {
                tokens[i] = new Tokens(jni.getTokenIds(encoding), jni.getTypeIds(encoding),
                        jni.getOverflowCount(encoding) > 0);
            } finally {
                jni.deleteEncoding(encoding);
            }
        }
        return tokens;
    }

    /** Valid token ids are {@code 0 .. vocabularySize() - 1}. */
    public int vocabularySize() {
        return vocabularySize;
    }

    /** The id the tokenizer pads with ([PAD]). */
    public long padId() {
        return padId;
    }

    public String uri() {
        return uri;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
