package dev.zeroserve;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import dev.zeroserve.lifecycle.DrainingConnections;

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

    /**
     * Libraries an adapter or the transport below it may use: the frameworks, the wire formats' (grpc.health.v1 is
     * the generated health service), and ONNX Runtime's half-precision conversions, a library function that the JSON
     * codec uses, not the engine.
     */
    private static final String[] LIBRARIES = { "java..", "javax..", "jakarta..", "io.vertx..", "io.quarkus..",
            "io.grpc..", "grpc.health.v1..", "com.google.protobuf..", "com.google.common..", "io.netty..",
            "com.fasterxml.jackson..", "org.jboss..", "org.eclipse.microprofile..", "io.smallrye..",
            "ai.onnxruntime.platform.." };

    @Test
    void adaptersCallOnlyTheServingApi() {
        classes().that().resideInAPackage("dev.zeroserve.api..")
                .and().resideOutsideOfPackage("dev.zeroserve.api.transport..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(packages("dev.zeroserve.api..",
                        "dev.zeroserve.serving..", "dev.zeroserve.inference.."))
                .because("adapters translate a wire format to the serving API and back, as Triton's frontends call "
                        + "only tritonserver.h: the model's state, metadata, configuration and statistics, and "
                        + "inference, come from dev.zeroserve.serving")
                .check(main);
    }

    @Test
    void theTransportReadsOnlyItsConfiguration() {
        classes().that().resideInAPackage("dev.zeroserve.api.transport..")
                .should().onlyDependOnClassesThat(resideInAnyPackage(packages("dev.zeroserve.api..",
                        "dev.zeroserve.serving..", "dev.zeroserve.inference..", "dev.zeroserve.config..",
                        "io.micrometer..")).or(equivalentTo(DrainingConnections.class)))
                .because("the transport acts before any protocol sees a request, on its own settings (API keys, the "
                        + "in-flight budget), and counts its own refusals, which never reach the serving layer; it "
                        + "offers the drain what the lifecycle asks of connections (DrainingConnections)")
                .check(main);
    }

    @Test
    void nothingBelowTheAdaptersReachesUpToThem() {
        noClasses().that().resideOutsideOfPackage("dev.zeroserve.api..").should().dependOnClassesThat()
                .resideInAPackage("dev.zeroserve.api..")
                .because("the layers below answer the adapters' calls and define the interfaces the adapters "
                        + "implement (WarmupRequestDecoder, DrainingConnections)")
                .check(main);
    }

    private static String[] packages(String... own) {
        String[] all = new String[own.length + LIBRARIES.length];
        System.arraycopy(own, 0, all, 0, own.length);
        System.arraycopy(LIBRARIES, 0, all, own.length, LIBRARIES.length);
        return all;
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
