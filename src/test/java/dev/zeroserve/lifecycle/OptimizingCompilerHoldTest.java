package dev.zeroserve.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.HashMap;
import java.util.Map;

import javax.management.JMException;

import org.junit.jupiter.api.Test;

class OptimizingCompilerHoldTest {
    private static final Map<String, String> TIERED = Map.of("TieredCompilation", "true", "TieredStopAtLevel", "4",
            "UseJVMCICompiler", "false", "CompilationMode", "default", "AOTCache", "");

    @Test
    void holdsBackOnlyWhereTieredCompilationGoesUpToC2WithoutTrainingProfiles() {
        assertThat(holdsBack(TIERED)).isTrue();
        assertThat(holdsBack(with("CompilationMode", "normal")))
                .as("tiered compilation named explicitly: the opt-out").isFalse();
        assertThat(holdsBack(Map.of("TieredCompilation", "true", "TieredStopAtLevel", "4")))
                .as("a JDK without the JVMCI, compilation mode and AOT cache options").isTrue();
        assertThat(holdsBack(with("TieredStopAtLevel", "1"))).as("the images' C1 only").isFalse();
        assertThat(holdsBack(with("TieredCompilation", "false")))
                .as("C2 alone: excluding it would leave the interpreter").isFalse();
        assertThat(holdsBack(with("CompilationMode", "high-only"))).as("C2 alone, as a compilation mode").isFalse();
        assertThat(holdsBack(with("CompilationMode", "quick-only"))).as("C1 alone, as a compilation mode").isFalse();
        assertThat(holdsBack(with("UseJVMCICompiler", "true"))).as("a JVMCI compiler").isFalse();
        assertThat(holdsBack(with("AOTCache", "/deployments/app.aot"))).as("an AOT cache's training profiles")
                .isFalse();
        assertThat(holdsBack(Map.of())).as("not HotSpot").isFalse();
    }

    @Test
    void theTopDirectiveIsTheHoldOnlyWhereItMatchesEverythingAndExcludesC2() {
        String hold = directive("*.*", false, true);
        String other = directive("java/lang/String.*", false, true);
        assertThat(OptimizingCompilerHold.topIsHold(hold + directive("*.*", false, false))).isTrue();
        assertThat(OptimizingCompilerHold.topIsHold(other + hold)).as("another directive above it").isFalse();
        assertThat(OptimizingCompilerHold.topIsHold(directive("*.*", true, false) + hold)).as("C1 excluded only")
                .isFalse();
        assertThat(OptimizingCompilerHold.topIsHold("")).isFalse();
    }

    @Test
    void theDirectiveIsOnTopWhileHeldAndGoneOnceReleased() throws JMException {
        assumeTrue(OptimizingCompilerHold.holdsBack(OptimizingCompilerHold.vmOptions()),
                "this test JVM runs C2 through C1 without an AOT cache");
        String before = directives();
        assertThat(OptimizingCompilerHold.topIsHold(before)).isFalse();
        try {
            OptimizingCompilerHold.holdBack();
            assertThat(OptimizingCompilerHold.held()).isTrue();
            assertThat(OptimizingCompilerHold.topIsHold(directives())).as(directives()).isTrue();
        } finally {
            OptimizingCompilerHold.release();
        }
        assertThat(OptimizingCompilerHold.held()).isFalse();
        assertThat(directives()).isEqualTo(before);
        OptimizingCompilerHold.release(); // a second release removes nothing more
        assertThat(directives()).isEqualTo(before);
    }

    private static boolean holdsBack(Map<String, String> options) {
        return OptimizingCompilerHold.holdsBack(options::get);
    }

    private static Map<String, String> with(String option, String value) {
        Map<String, String> options = new HashMap<>(TIERED);
        options.put(option, value);
        return options;
    }

    /** One directive as jcmd's Compiler.directives_print shows it (options shortened). */
    private static String directive(String match, boolean c1Excluded, boolean c2Excluded) {
        return "\nDirective:\n matching: " + match + "\n c1 directives:\n  inline: -\n  Enable:false Exclude:"
                + c1Excluded + " BreakAtExecute:false\n\n c2 directives:\n  inline: -\n  Enable:true Exclude:"
                + c2Excluded + " BreakAtExecute:false\n\n";
    }

    /** jcmd's Compiler.directives_print: the stack of directives, the top one first. */
    private static String directives() throws JMException {
        return OptimizingCompilerHold.diagnosticCommand("compilerDirectivesPrint");
    }
}
