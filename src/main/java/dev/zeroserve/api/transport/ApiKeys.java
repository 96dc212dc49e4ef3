package dev.zeroserve.api.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.jboss.logging.Logger;

import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.config.ZeroserveConfig.RouteGroup;

/**
 * The API keys in force and what each group of routes accepts: inference takes the API keys; metadata the API keys
 * and the management keys; statistics and metrics the management keys where any is configured, else the API keys.
 * Keys from files are re-read by {@link #reload()}; a file that cannot be read or holds no key keeps the keys it
 * had, so that a Secret caught mid-update never opens the service.
 */
final class ApiKeys {
    private static final Logger LOG = Logger.getLogger(ApiKeys.class);

    /** The outcome of a check: allowed, or refused because no key or a wrong key was presented. */
    enum Verdict {
        ALLOWED,
        MISSING,
        WRONG
    }

    private final KeySet configuredApi;
    private final KeySet configuredManagement;
    private final KeyFile apiFile;
    private final KeyFile managementFile;
    private final Set<RouteGroup> protectedGroups;
    private volatile Keys keys;

    private record Keys(KeySet inference, KeySet metadata, KeySet management) {
    }

    /** @throws IllegalArgumentException naming the key when a key file cannot be read or holds no key */
    ApiKeys(ZeroserveConfig.Auth config) {
        this.configuredApi = KeySet.of(config.apiKeys().orElse(List.of()));
        this.configuredManagement = KeySet.of(config.managementApiKeys().orElse(List.of()));
        this.apiFile = KeyFile.of("zeroserve.auth.api-keys-file", config.apiKeysFile());
        this.managementFile = KeyFile.of("zeroserve.auth.management-api-keys-file", config.managementApiKeysFile());
        this.protectedGroups = EnumSet.noneOf(RouteGroup.class);
        protectedGroups.addAll(config.protectedGroups());
        protectedGroups.remove(RouteGroup.HEALTH); // probes stay open for the kubelet and Knative's queue-proxy
        this.keys = combine();
    }

    /** Whether any key is configured: with none, every route is open. */
    boolean enabled() {
        Keys current = keys;
        return !current.inference().isEmpty() || !current.management().isEmpty();
    }

    boolean protects(RouteGroup group) {
        return protectedGroups.contains(group) && enabled();
    }

    /** @param presented the bearer token sent, or null */
    Verdict check(RouteGroup group, String presented) {
        if (!protects(group)) {
            return Verdict.ALLOWED;
        }
        if (presented == null) {
            return Verdict.MISSING;
        }
        Keys current = keys;
        KeySet accepted = switch (group) {
            case METADATA -> current.metadata();
            case STATISTICS, METRICS -> current.management();
            default -> current.inference();
        };
        return accepted.matches(presented) ? Verdict.ALLOWED : Verdict.WRONG;
    }

    boolean watchesFiles() {
        return apiFile != null || managementFile != null;
    }

    /** Reads the key files again and takes their keys if they changed. */
    void reload() {
        boolean changed = (apiFile != null && apiFile.reload()) | (managementFile != null && managementFile.reload());
        if (changed) {
            keys = combine();
            LOG.infof("API keys reloaded from their files: %s", describe());
        }
    }

    String describe() {
        Keys current = keys;
        return current.inference().size() + " API key(s), " + current.management().size()
                + " management key(s); protected groups " + protectedGroups;
    }

    private Keys combine() {
        KeySet api = apiFile == null ? configuredApi : configuredApi.union(apiFile.keys());
        KeySet management = managementFile == null ? configuredManagement
                : configuredManagement.union(managementFile.keys());
        return new Keys(api, api.union(management), management.isEmpty() ? api : management);
    }

    /** A key file and the keys it last held. */
    private static final class KeyFile {
        private final String setting;
        private final Path path;
        private String text;
        private KeySet keys;

        private KeyFile(String setting, Path path) {
            this.setting = setting;
            this.path = path;
            try {
                this.text = read();
            } catch (IOException e) {
                throw new IllegalArgumentException(setting + "=" + path + " cannot be read: " + e.getMessage(), e);
            }
            this.keys = KeySet.parse(text);
            if (keys.isEmpty()) {
                throw new IllegalArgumentException(setting + "=" + path + " holds no key");
            }
        }

        static KeyFile of(String setting, Optional<String> path) {
            return path.filter(p -> !p.isBlank()).map(p -> new KeyFile(setting, Path.of(p.trim()))).orElse(null);
        }

        KeySet keys() {
            return keys;
        }

        /** @return whether the file's keys changed */
        synchronized boolean reload() {
            String now;
            try {
                now = read();
            } catch (IOException e) {
                LOG.warnf("%s=%s cannot be read (%s): the keys read before stay in force", setting, path,
                        e.getMessage());
                return false;
            }
            if (now.equals(text)) {
                return false;
            }
            KeySet parsed = KeySet.parse(now);
            if (parsed.isEmpty()) {
                LOG.warnf("%s=%s now holds no key: the keys read before stay in force", setting, path);
                return false;
            }
            text = now;
            keys = parsed;
            return true;
        }

        private String read() throws IOException {
            // A Secret volume swaps a symbolic link; reading through the path follows it to the current data.
            return Files.readString(path, StandardCharsets.UTF_8);
        }
    }
}
