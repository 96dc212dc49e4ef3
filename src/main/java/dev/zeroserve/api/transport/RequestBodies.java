package dev.zeroserve.api.transport;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.Status;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Inference request bodies sent gzip- or deflate-compressed (Triton's clients offer both), decoded here rather than
 * by the HTTP server: there a corrupt stream closed the connection without an answer. Here it is a 400 naming the
 * coding, and a body that inflates past {@code quarkus.http.limits.max-body-size} (a compression bomb) is a 413
 * once that much is inflated, not after. Which codings reach this far is decided once, by ContentEncodings (415).
 */
@ApplicationScoped
public class RequestBodies {
    /** The request Content-Encodings decoded here (lower case); ContentEncodings refuses the others. */
    public static final Set<String> CODINGS = Set.of("identity", "gzip", "x-gzip", "deflate");
    private static final int CHUNK = 64 * 1024;

    /**
     * Heap held per inflated byte: the output stream's array, up to twice what it holds as it doubles, and the copy
     * handed on.
     */
    private static final int INFLATED_FACTOR = 3;

    private final long maxBytes;
    private final InFlightBudget budget;

    RequestBodies(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize,
            InFlightBudget budget) {
        this.maxBytes = maxBodySize.asLongValue();
        this.budget = budget;
    }

    /**
     * Whether decoding {@code sent} is work for a worker thread rather than the event loop it arrived on: more than
     * {@code inlineBytes}, or compressed (inflating may make it much larger).
     */
    public static boolean heavy(RoutingContext routing, byte[] sent, long inlineBytes) {
        return sent.length > inlineBytes || routing.request().getHeader(HttpHeaders.CONTENT_ENCODING) != null;
    }

    /**
     * The body as the client meant it: inflated where its Content-Encoding says it is compressed. What the body holds
     * is charged to the in-flight budget where its length was not declared (and so not charged before it was read),
     * and every inflated byte as it is inflated.
     */
    public byte[] decoded(RoutingContext routing, byte[] body) {
        if (routing.request().getHeader(HttpHeaders.CONTENT_LENGTH) == null) {
            budget.charge(routing, InFlightBudget.bodyCost(body.length), "the request body");
        }
        String encoding = routing.request().getHeader(HttpHeaders.CONTENT_ENCODING);
        String coding = encoding == null ? "identity" : encoding.trim().toLowerCase(Locale.ROOT);
        if (!CODINGS.contains(coding)) {
            throw new IllegalStateException("Content-Encoding '" + encoding + "' should have been refused by "
                    + "ContentEncodings");
        }
        if (coding.equals("identity")) {
            return body;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        inflate("request body", coding, body, maxBytes, "quarkus.http.limits.max-body-size",
                bytes -> budget.charge(routing, bytes * INFLATED_FACTOR, "the inflated request body"), out);
        return out.toByteArray();
    }

    /**
     * {@code data} inflated from {@code coding} (gzip, or deflate: a zlib stream, or raw deflate as some clients send
     * and Netty also accepts) into {@code out}: invalid when it is no such stream, too large once it inflates past
     * {@code maxBytes} (the setting {@code limit}) rather than after. {@code charge} is told of every chunk before it
     * is written, and may refuse it by throwing.
     *
     * @return the bytes written
     */
    public static long inflate(String what, String coding, byte[] data, long maxBytes, String limit,
            LongConsumer charge, OutputStream out) {
        Inflater inflater = coding.equals("deflate") ? new Inflater(!zlibHeader(data)) : null;
        try (InputStream in = inflater == null ? new GZIPInputStream(new ByteArrayInputStream(data))
                : new InflaterInputStream(new ByteArrayInputStream(data), inflater)) {
            byte[] chunk = new byte[CHUNK];
            long written = 0;
            for (int n; (n = in.read(chunk)) > 0;) {
                if (written + n > maxBytes) {
                    throw new InferenceException(Status.PAYLOAD_TOO_LARGE, "the " + coding + " " + what
                            + " inflates to more than " + maxBytes + " bytes (" + limit + ")");
                }
                charge.accept(n);
                out.write(chunk, 0, n);
                written += n;
            }
            return written;
        } catch (IOException e) {
            throw InferenceException.invalid("the " + what + " is not valid " + coding + ": " + e.getMessage());
        } finally {
            if (inflater != null) {
                inflater.end(); // its native zlib state, which an InflaterInputStream given one never frees
            }
        }
    }

    /** RFC 1950: compression method 8 and a header check that makes the first two bytes a multiple of 31. */
    private static boolean zlibHeader(byte[] body) {
        return body.length >= 2 && (body[0] & 0x0f) == 8 && (((body[0] & 0xff) << 8) | (body[1] & 0xff)) % 31 == 0;
    }
}
