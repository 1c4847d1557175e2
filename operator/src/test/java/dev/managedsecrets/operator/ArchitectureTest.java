package dev.managedsecrets.operator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The operator's layering (docs/ARCHITECTURE.md): its packages and the core's depend on each other
 * without cycles; the product runs without the in-memory API server, which only the embedded
 * command starts; the domain packages know no Kubernetes client.
 */
@AnalyzeClasses(
    packages = {"dev.managedsecrets.operator", "dev.managedsecrets.core"},
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  /** Each package its own slice: kms and kms.aws are two, and may not use each other both ways. */
  @ArchTest
  static final ArchRule packagesDependOnEachOtherWithoutCycles =
      slices().matching("dev.managedsecrets.(**)").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule onlyTheEmbeddedCommandStartsTheInMemoryApiServer =
      noClasses()
          .that()
          .resideInAPackage("dev.managedsecrets.operator..")
          .and()
          .doNotHaveFullyQualifiedName("dev.managedsecrets.operator.command.EmbeddedCommand")
          .and()
          .doNotHaveFullyQualifiedName("dev.managedsecrets.operator.command.EmbeddedRegion")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.managedsecrets.apiserver..",
              "io.fabric8.kubernetes.client.server.mock..",
              "io.fabric8.mockwebserver..",
              "com.networknt..",
              "dev.cel..")
          .because("the product runs against a real API server; only `embedded` brings its own");

  @ArchTest
  static final ArchRule theSecretsManagerOperationsKnowNoKubernetes =
      noClasses()
          .that()
          .resideInAPackage("dev.managedsecrets.operator.manager..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.fabric8..", "io.javaoperatorsdk..");

  @ArchTest
  static final ArchRule theRotationStepsKnowNoKubernetes =
      noClasses()
          .that()
          .resideInAPackage("dev.managedsecrets.operator.rotation..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.fabric8..", "io.javaoperatorsdk..", "dev.managedsecrets.operator.reconcile..");

  @ArchTest
  static final ArchRule theProjectionDoesNotCallBackIntoTheReconcilers =
      noClasses()
          .that()
          .resideInAnyPackage(
              "dev.managedsecrets.operator.projection..",
              "dev.managedsecrets.operator.manager..",
              "dev.managedsecrets.operator.store..",
              "dev.managedsecrets.operator.kms..",
              "dev.managedsecrets.operator.metrics..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.managedsecrets.operator.reconcile..");
}
