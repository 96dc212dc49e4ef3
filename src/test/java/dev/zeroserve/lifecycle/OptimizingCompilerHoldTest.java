package dev.zeroserve.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.Map;

import javax.management.JMException;
import javax.management.ObjectName;

import org.junit.jupiter.api.Test;

class OptimizingCompilerHoldTest {

    @Test
    void holdsBackOnlyWhereTieredCompilationGoesUpToC2() {
        assertThat(inUse(Map.of("TieredCompilation", "true", "TieredStopAtLevel", "4", "UseJVMCICompiler", "false")))
                .isTrue();
        assertThat(inUse(Map.of("TieredCompilation", "true", "TieredStopAtLevel", "4"))).as("no JVMCI option")
                .isTrue();
        assertThat(inUse(Map.of("TieredCompilation", "true", "TieredStopAtLevel", "1"))).as("the images' C1 only")
                .isFalse();
        assertThat(inUse(Map.of("TieredCompilation", "false", "TieredStopAtLevel", "4")))
                .as("C2 alone: excluding it would leave the interpreter").isFalse();
        assertThat(inUse(Map.of("TieredCompilation", "true", "TieredStopAtLevel", "4", "UseJVMCICompiler", "true")))
                .as("a JVMCI compiler").isFalse();
        assertThat(inUse(Map.of())).as("not HotSpot").isFalse();
    }

    @Test
    void theDirectiveIsInPlaceWhileHeldAndGoneOnceReleased() throws JMException {
        String before = directives();
        assertThat(before).doesNotContain("Exclude:true");
        try {
            OptimizingCompilerHold.holdBack();
            assertThat(OptimizingCompilerHold.held()).as("this JVM runs C2 (surefire's default flags)").isTrue();
            assertThat(directives()).contains("*.*").contains("Exclude:true");
        } finally {
            OptimizingCompilerHold.release();
        }
        assertThat(OptimizingCompilerHold.held()).isFalse();
        assertThat(directives()).isEqualTo(before);
        OptimizingCompilerHold.release(); // a second release removes nothing more
        assertThat(directives()).isEqualTo(before);
    }

    private static boolean inUse(Map<String, String> options) {
        return OptimizingCompilerHold.optimizingCompilerInUse(options::get);
    }

    /** jcmd's Compiler.directives_print: the stack of directives, whose C2 part shows Exclude:true where held. */
    private static String directives() throws JMException {
        return ManagementFactory.getPlatformMBeanServer()
                .invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesPrint",
                        new Object[] { new String[0] }, new String[] { String[].class.getName() })
                .toString();
    }
}
