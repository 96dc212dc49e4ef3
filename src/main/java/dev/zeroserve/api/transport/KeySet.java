package dev.zeroserve.api.transport;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * API keys held as SHA-256 digests and matched in constant time: a presented key is hashed and compared with every
 * digest without stopping at the first match, so neither the position of a matching key nor the length of a key shows
 * in the time an answer takes. The keys themselves are never kept, so no log or heap dump of this object holds them.
 */
final class KeySet {
    static final KeySet EMPTY = new KeySet(List.of());

    private final List<byte[]> digests;

    private KeySet(List<byte[]> digests) {
        this.digests = digests;
    }

    /** The keys given, blanks dropped and each trimmed. */
    static KeySet of(Collection<String> keys) {
        List<byte[]> digests = new ArrayList<>(keys.size());
        for (String key : keys) {
            String trimmed = key.trim();
            if (!trimmed.isEmpty()) {
                digests.add(sha256(trimmed));
            }
        }
        return new KeySet(List.copyOf(digests));
    }

    /** The keys of a key file's text: separated by line breaks or commas; lines starting with '#' are comments. */
    static KeySet parse(String text) {
        List<String> keys = new ArrayList<>();
        for (String line : text.split("\\R")) {
            if (!line.stripLeading().startsWith("#")) {
                keys.addAll(List.of(line.split(",")));
            }
        }
        return of(keys);
    }

    KeySet union(KeySet other) {
        if (other.digests.isEmpty()) {
            return this;
        }
        List<byte[]> all = new ArrayList<>(digests);
        all.addAll(other.digests);
        return new KeySet(List.copyOf(all));
    }

    boolean isEmpty() {
        return digests.isEmpty();
    }

    int size() {
        return digests.size();
    }

    boolean matches(String presented) {
        byte[] digest = sha256(presented);
        boolean match = false;
        for (byte[] known : digests) {
            match |= MessageDigest.isEqual(known, digest);
        }
        return match;
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
