package dev.zeroserve.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;

/**
 * Programs from Debian that some tests run (a C compiler for the fake NVML, Prometheus for the dashboard, wrk for
 * PlanMeasureIT). `.ci/run`
 * installs them and sets ZEROSERVE_TEST_TOOLS=required, so that in CI a missing one fails the build; elsewhere the
 * test is skipped with the package to install.
 */
public final class ExternalTools {
    private ExternalTools() {
    }

    public static Path require(String command, String debianPackage) {
        Optional<Path> found = find(command);
        String missing = command + " is not on the PATH: apt-get install " + debianPackage;
        if (found.isEmpty() && "required".equals(System.getenv("ZEROSERVE_TEST_TOOLS"))) {
            throw new IllegalStateException(missing);
        }
        Assumptions.assumeTrue(found.isPresent(), missing);
        return found.get();
    }

    private static Optional<Path> find(String command) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(directory, command);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
