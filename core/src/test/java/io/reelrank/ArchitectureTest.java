package io.reelrank;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The one-way order of src/main, lowest first:
 * {@code db → ingest → index | embed → model (model, user) → rank → rerank → recommend → eval → service
 * → cli | http | bench → Main}, with {@code generate} (the data generator) and {@code feedback}
 * (interleaving, click models) used by the service and edges only, and
 * {@code io.reelrank.Main}, the command root that lists every command, above all. A class may use its
 * own layer and the layers below it, never one above; no two packages depend on each other, directly
 * or around a loop; SQL stays out of the edges that present results (cli, http), behind the data
 * layer's queries.
 */
@Tag("unit")
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMain() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.reelrank");
    }

    @Test
    void layersDependOnlyDownward() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("db").definedBy("io.reelrank.db..")
                .layer("ingest").definedBy("io.reelrank.ingest..")
                .layer("index").definedBy("io.reelrank.index..")
                .layer("embed").definedBy("io.reelrank.embed..")
                .layer("model").definedBy("io.reelrank.model..", "io.reelrank.user..")
                .layer("rank").definedBy("io.reelrank.rank..")
                .layer("rerank").definedBy("io.reelrank.rerank..")
                .layer("recommend").definedBy("io.reelrank.recommend..")
                .layer("eval").definedBy("io.reelrank.eval..")
                .layer("generate").definedBy("io.reelrank.generate..")
                .layer("feedback").definedBy("io.reelrank.feedback..")
                .layer("service").definedBy("io.reelrank.service..")
                .layer("edges").definedBy("io.reelrank.cli..", "io.reelrank.http..", "io.reelrank.bench..")
                .layer("root").definedBy("io.reelrank")
                .whereLayer("root").mayNotBeAccessedByAnyLayer()
                .whereLayer("edges").mayOnlyBeAccessedByLayers("root")
                .whereLayer("service").mayOnlyBeAccessedByLayers("edges")
                .whereLayer("generate").mayOnlyBeAccessedByLayers("edges")
                .whereLayer("feedback").mayOnlyBeAccessedByLayers("service", "edges")
                .whereLayer("eval").mayOnlyBeAccessedByLayers("service", "edges")
                .whereLayer("recommend").mayOnlyBeAccessedByLayers("eval", "service", "edges")
                .whereLayer("rerank").mayOnlyBeAccessedByLayers("recommend", "eval", "service", "edges")
                .whereLayer("rank").mayOnlyBeAccessedByLayers("rerank", "recommend", "eval", "service", "edges")
                .whereLayer("model").mayOnlyBeAccessedByLayers("rank", "rerank", "recommend", "eval", "service",
                        "edges")
                .whereLayer("index").mayOnlyBeAccessedByLayers("model", "rank", "rerank", "recommend", "eval",
                        "generate", "service", "edges")
                .whereLayer("embed").mayOnlyBeAccessedByLayers("model", "rank", "rerank", "recommend", "eval",
                        "service", "edges")
                .whereLayer("ingest").mayOnlyBeAccessedByLayers("index", "embed", "model", "rank", "rerank",
                        "recommend", "eval", "generate", "service", "edges")
                .check(classes);
    }

    @Test
    void packagesFormNoCycle() {
        // Every package is its own slice, sub-packages included, so a cycle between any two is caught.
        slices().matching("io.reelrank.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void theEdgesThatPresentResultsRunNoSql() {
        noClasses().that().resideInAnyPackage("io.reelrank.cli..", "io.reelrank.http..")
                .should().callMethod(java.sql.Connection.class, "prepareStatement", String.class)
                .orShould().callMethod(java.sql.Connection.class, "createStatement")
                .because("SQL belongs behind the data layer's queries, not in commands or routes")
                .check(classes);
    }
}
