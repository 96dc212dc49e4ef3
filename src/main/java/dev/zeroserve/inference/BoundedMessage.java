package dev.zeroserve.inference;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps what a client sent from making the message that answers it unbounded: a 10,000-character name echoed whole
 * would overflow gRPC's {@code grpc-message} trailer, and the client would see the stream reset instead of the reason.
 * Quoted values without whitespace ({@code 'name'}) longer than {@value #MAX_QUOTED} characters are cut, and the whole message stops at
 * {@value #MAX_LENGTH} characters. Shapes are cut where they are written ({@link Shapes#toString(long[])}).
 */
public final class BoundedMessage {
    /** Characters of one quoted value that a message keeps. */
    public static final int MAX_QUOTED = 64;
    /** Characters of a whole message. */
    public static final int MAX_LENGTH = 1000;
    /** A quoted run without whitespace: a name, not the prose between two quotes of ONNX Runtime's messages. */
    private static final Pattern LONG_QUOTED = Pattern.compile("'([^'\\s]{" + (MAX_QUOTED + 1) + ",})'");

    private BoundedMessage() {
    }

    public static String of(String message) {
        if (message == null) {
            return null;
        }
        Matcher quoted = LONG_QUOTED.matcher(message);
        String cut = quoted.find() ? quoted.replaceAll(match -> Matcher.quoteReplacement("'"
                + match.group(1).substring(0, MAX_QUOTED) + "…' (" + match.group(1).length() + " characters)"))
                : message;
        return cut.length() <= MAX_LENGTH ? cut : cut.substring(0, MAX_LENGTH - 1) + "…";
    }
}
