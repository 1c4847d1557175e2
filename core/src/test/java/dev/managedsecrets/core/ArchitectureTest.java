package dev.managedsecrets.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The core is the domain the operator and the kubectl plugin share: it knows ManagedSecrets as the
 * API module models them, and nothing of how they are read or written. No Kubernetes client, no
 * operator framework, no cycle between its packages.
 */
@AnalyzeClasses(
    packages = "dev.managedsecrets.core",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule coreTalksToNoKubernetesApiServer =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.fabric8.kubernetes.client..")
          .because(
              "the plugin and the operator share the core, which never reads or writes objects"
                  + " itself (the API module's custom resources are its only Kubernetes types)");

  @ArchTest
  static final ArchRule coreKnowsNoOperatorFramework =
      noClasses().should().dependOnClassesThat().resideInAPackage("io.javaoperatorsdk..");

  @ArchTest
  static final ArchRule corePackagesDependOnEachOtherWithoutCycles =
      slices().matching("dev.managedsecrets.core.(**)").should().beFreeOfCycles();
}
