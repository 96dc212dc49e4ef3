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
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.ext.web.Router;

/**
 * Keeps HotSpot's optimizing compiler (C2) out of the start and lets it in at readiness. On two cores C2 compiling the
 * boot's code competed with the boot itself (1.3 s of CPU before the first answer of a plain {@code java -jar}), and a
 * plain start cannot choose {@code -XX:TieredStopAtLevel=1}; so the service asks the JVM itself, through the
 * DiagnosticCommand MBean (jcmd's {@code Compiler.directives_add}), for a directive that excludes C2, and removes it
 * once ready. A method whose C2 compilation comes due before readiness keeps C1's code for good (the JVM marks an
 * excluded method as not C2-compilable and compiles it at level 1, as C1-only mode does): the boot's, and the JDK,
 * Vert.x and engine code the boot and the warm-up made hot, though C2 still inlines them into what it compiles later.
 * Nothing is held where C2 is not in use (the images' C1-only flags), where an AOT cache's training profiles drive
 * C2 early, where the JVM refuses, or with {@code -XX:CompilationMode=normal} (the opt-out).
 */
@ApplicationScoped
public class OptimizingCompilerHold {
    private static final Logger LOG = Logger.getLogger(OptimizingCompilerHold.class);
    private static final String DIRECTIVE = "[{match: \"*.*\", c2: {Exclude: true}}]";
    private static final AtomicBoolean HELD = new AtomicBoolean();

    private final InferenceMetrics metrics;

    public OptimizingCompilerHold(InferenceMetrics metrics) {
        this.metrics = metrics;
    }

    /** From {@code main}, before Quarkus boots: excludes C2 until {@link #release()}, where {@link #holdsBack} says. */
    public static void holdBack() {
        try {
            if (!holdsBack(vmOptions())) {
                return;
            }
            Path directive = Files.createTempFile("zeroserve-compiler-directive", ".json");
            try {
                Files.writeString(directive, DIRECTIVE);
                // the command reports a file it cannot parse or a full stack in its output, not by throwing
                String added = diagnosticCommand("compilerDirectivesAdd", directive.toString()).strip();
                HELD.set(added.equals("1 compiler directives added"));
            } finally {
                Files.deleteIfExists(directive);
            }
        } catch (IOException | JMException | RuntimeException | LinkageError e) {
            // Not HotSpot, no jdk.management module, no temporary directory: the start is as it was without the hold.
            LOG.debugf("C2 not held back during the start: %s", e);
        }
    }

    /** Removes the directive {@link #holdBack()} added, once, if it is still the top one. */
    static void release() {
        if (!HELD.compareAndSet(true, false)) {
            return;
        }
        try {
            if (topIsHold(diagnosticCommand("compilerDirectivesPrint"))) {
                diagnosticCommand("compilerDirectivesRemove");
                LOG.debug("C2 let in: the service is ready");
            } else {
                LOG.warn("C2 may stay held back: another compiler directive was added above Zeroserve's (jcmd "
                        + "Compiler.directives_print shows the stack; Compiler.directives_remove pops it)");
            }
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

    /** A start that ends before readiness (dev mode's restarts, a stop) leaves no directive behind. */
    void onStop(@Observes ShutdownEvent event) {
        release();
    }

    /**
     * @param vmOption a VM option's value by name, null where the JVM has no such option
     * @return whether to hold C2 back: where tiered compilation goes up to C2 through C1 ({@code -XX:TieredStopAtLevel}
     *         4, {@code -XX:CompilationMode} left at its default; not with C2 alone, where excluding it would leave
     *         the interpreter, nor with a JVMCI compiler; {@code -XX:CompilationMode=normal}, the default's behaviour
     *         named explicitly, is the opt-out) and no AOT cache is in use (its training profiles ask C2 for the
     *         trained methods as soon as their classes are initialised: held, those would keep C1's code)
     */
    static boolean holdsBack(UnaryOperator<String> vmOption) {
        String mode = vmOption.apply("CompilationMode");
        String aotCache = vmOption.apply("AOTCache");
        return "true".equals(vmOption.apply("TieredCompilation")) && "4".equals(vmOption.apply("TieredStopAtLevel"))
                && !"true".equals(vmOption.apply("UseJVMCICompiler"))
                && (mode == null || mode.equals("default"))
                && (aotCache == null || aotCache.isEmpty());
    }

    /** @param printed jcmd's Compiler.directives_print, the top directive first */
    static boolean topIsHold(String printed) {
        String[] directives = printed.split("Directive:", -1);
        if (directives.length < 2) {
            return false;
        }
        String top = directives[1];
        int c2 = top.indexOf("c2 directives:");
        return top.contains("matching: *.*") && c2 >= 0 && top.substring(c2).contains(" Exclude:true ");
    }

    /** This JVM's options by name, null where it has no such option. */
    static UnaryOperator<String> vmOptions() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        return name -> {
            try {
                VMOption option = vm.getVMOption(name);
                return option.getValue();
            } catch (IllegalArgumentException noSuchOption) {
                return null;
            }
        };
    }

    /** jcmd's command of that name, as the DiagnosticCommand MBean calls it; its output. */
    static String diagnosticCommand(String operation, String... arguments) throws JMException {
        return String.valueOf(ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), operation, new Object[] { arguments },
                new String[] { String[].class.getName() }));
    }
}
