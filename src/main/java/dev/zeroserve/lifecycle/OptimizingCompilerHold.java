package dev.zeroserve.lifecycle;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

import javax.management.JMException;
import javax.management.ObjectName;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

import dev.zeroserve.metrics.InferenceMetrics;
import io.vertx.ext.web.Router;

/**
 * Keeps HotSpot's optimizing compiler (C2) out of the start and lets it in at readiness. On two cores C2 compiling the
 * boot's code competed with the boot itself (1.3 s of CPU before the first answer of a plain {@code java -jar}), and a
 * plain start cannot choose {@code -XX:TieredStopAtLevel=1}; so the service asks the JVM itself, through the
 * DiagnosticCommand MBean (jcmd's {@code Compiler.directives_add}), for a directive that excludes C2, and removes it
 * once ready. Methods the start made hot keep C1's code (the JVM marks a method it was asked to exclude as not
 * C2-compilable); the request path, hot only after readiness, gets C2 as before. Nothing is held where C2 is not in
 * use (the images' C1-only flags) or where the JVM refuses.
 */
@ApplicationScoped
public class OptimizingCompilerHold {
    private static final Logger LOG = Logger.getLogger(OptimizingCompilerHold.class);
    static final String DIRECTIVE = "[{match: \"*.*\", c2: {Exclude: true}}]";
    private static final AtomicBoolean HELD = new AtomicBoolean();

    private final InferenceMetrics metrics;

    public OptimizingCompilerHold(InferenceMetrics metrics) {
        this.metrics = metrics;
    }

    /** From {@code main}, before Quarkus boots: excludes C2 until {@link #release()}, where C2 is in use. */
    public static void holdBack() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (vm == null || !optimizingCompilerInUse(name -> option(vm, name))) {
            return;
        }
        try {
            Path directive = Files.createTempFile("zeroserve-compiler-directive", ".json");
            try {
                Files.writeString(directive, DIRECTIVE);
                diagnosticCommand("compilerDirectivesAdd", directive.toString());
                HELD.set(true);
            } finally {
                Files.deleteIfExists(directive);
            }
        } catch (IOException | JMException | RuntimeException e) {
            // No temporary directory, or a JVM without the command: the start is as it was without the hold.
            LOG.debugf("C2 not held back during the start: %s", e);
        }
    }

    /** Removes the directive {@link #holdBack()} added; once. */
    static void release() {
        if (!HELD.compareAndSet(true, false)) {
            return;
        }
        try {
            diagnosticCommand("compilerDirectivesRemove");
            LOG.debug("C2 let in: the service is ready");
        } catch (JMException | RuntimeException e) {
            LOG.warnf("C2 stays held back (methods keep C1's code): %s", e);
        }
    }

    /** Whether {@link #holdBack()} left a directive in place. */
    static boolean held() {
        return HELD.get();
    }

    /** Registered as the model's load starts (the same event), so that readiness cannot pass unseen. */
    void onStart(@Observes Router router) {
        if (held()) {
            metrics.coldStart().whenReady().thenRun(OptimizingCompilerHold::release);
        }
    }

    /**
     * @param vmOption a VM option's value by name, null where the JVM has no such option
     * @return whether tiered compilation goes up to C2: not with {@code -XX:TieredStopAtLevel} below 4, not without
     *         tiered compilation (C2 alone: excluding it would leave the interpreter), not with a JVMCI compiler
     */
    static boolean optimizingCompilerInUse(UnaryOperator<String> vmOption) {
        return "true".equals(vmOption.apply("TieredCompilation")) && "4".equals(vmOption.apply("TieredStopAtLevel"))
                && !"true".equals(vmOption.apply("UseJVMCICompiler"));
    }

    private static String option(HotSpotDiagnosticMXBean vm, String name) {
        try {
            VMOption option = vm.getVMOption(name);
            return option.getValue();
        } catch (IllegalArgumentException noSuchOption) {
            return null;
        }
    }

    private static void diagnosticCommand(String operation, String... arguments) throws JMException {
        ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                operation, new Object[] { arguments }, new String[] { String[].class.getName() });
    }
}
