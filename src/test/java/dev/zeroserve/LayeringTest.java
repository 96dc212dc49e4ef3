package dev.zeroserve;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** The layering rules of ARCHITECTURE.md: an arrow never runs back up. */
class LayeringTest {
    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.zeroserve");
    }

    @Test
    void theVocabularyImportsNothingAboveIt() {
        classes().that().resideInAPackage("dev.zeroserve.inference..").should().onlyDependOnClassesThat()
                .resideInAnyPackage("dev.zeroserve.inference..", "java..", "ai.onnxruntime..")
                .because("every layer speaks the vocabulary, so it can depend on none of them (DataType names the "
                        + "ONNX Runtime element types, a library's, once)")
                .check(main);
    }

    @Test
    void adaptersReachNothingPastTheServingLayer() {
        noClasses().that().resideInAPackage("dev.zeroserve.api..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.zeroserve.engine..", "dev.zeroserve.scheduling..")
                .because("adapters only translate; the serving layer validates, admits and schedules")
                .check(main);
    }

    @Test
    void schedulingAndEngineDoNotImportEachOther() {
        noClasses().that().resideInAPackage("dev.zeroserve.scheduling..").should().dependOnClassesThat()
                .resideInAPackage("dev.zeroserve.engine..").check(main);
        noClasses().that().resideInAPackage("dev.zeroserve.engine..").should().dependOnClassesThat()
                .resideInAPackage("dev.zeroserve.scheduling..").check(main);
    }

    @Test
    void theSchedulerNeverSeesTheWireFormats() {
        noClasses().that().resideInAnyPackage("dev.zeroserve.scheduling..", "dev.zeroserve.engine..",
                "dev.zeroserve.serving..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.zeroserve.api..", "com.fasterxml.jackson..", "io.grpc..")
                .check(main);
    }

    @Test
    void nothingImportsAFrameworksImplPackage() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.vertx..impl..", "io.quarkus..impl..",
                "io.netty..impl..", "io.grpc..impl..", "io.smallrye..impl..")
                .because("a framework's impl package is no API: it changes in any release without notice")
                .check(main);
    }
}
