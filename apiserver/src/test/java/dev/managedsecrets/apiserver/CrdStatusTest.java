package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionCondition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionStatus;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A CustomResourceDefinition gets the status the API server's CRD controllers give it, at once: its
 * names accepted and the condition Established, which {@code helm install} and {@code kubectl wait
 * --for condition=established} wait for; and {@link EmbeddedApiServer.Options#withoutCrds()} starts
 * a new cluster for such an install.
 */
class CrdStatusTest {

  private static CustomResourceDefinition crd(int index) throws IOException {
    try (InputStream in =
        CrdStatusTest.class
            .getClassLoader()
            .getResourceAsStream(EmbeddedApiServer.CRD_RESOURCES.get(index))) {
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    }
  }

  private static Map<String, CustomResourceDefinitionCondition> conditions(
      CustomResourceDefinition crd) {
    return crd.getStatus().getConditions().stream()
        .collect(Collectors.toMap(CustomResourceDefinitionCondition::getType, c -> c));
  }

  @Test
  void aNewClusterHasNoCrdsAndNoOperatorNamespaceButItsOwnNamespacesAndRbac() {
    try (EmbeddedApiServer api =
        EmbeddedApiServer.start(EmbeddedApiServer.options().withoutCrds())) {
      KubernetesClient client = api.client();
      assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems())
          .isEmpty();
      assertThat(client.namespaces().list().getItems())
          .extracting(n -> n.getMetadata().getName())
          .containsExactlyInAnyOrderElementsOf(EmbeddedApiServer.CLUSTER_NAMESPACES);
      assertThat(client.rbac().clusterRoles().withName("cluster-admin").get()).isNotNull();
      assertThat(api.crdsEstablished()).isFalse();
    }
  }

  @Test
  void aCreatedCrdIsEstablishedWithItsNamesAcceptedAndItsStorageVersionStored() throws Exception {
    try (EmbeddedApiServer api =
        EmbeddedApiServer.start(EmbeddedApiServer.options().withoutCrds())) {
      KubernetesClient client = api.client();
      CustomResourceDefinition sent = crd(0);
      sent.setStatus(
          new CustomResourceDefinitionStatus(null, List.of(), List.of("made-up"))); // ignored
      CustomResourceDefinition created =
          client.apiextensions().v1().customResourceDefinitions().resource(sent).create();

      CustomResourceDefinitionStatus status = created.getStatus();
      assertThat(status.getAcceptedNames()).isEqualTo(sent.getSpec().getNames());
      assertThat(status.getStoredVersions()).containsExactly("v1alpha1");
      Map<String, CustomResourceDefinitionCondition> conditions = conditions(created);
      assertThat(conditions.get("Established").getStatus()).isEqualTo("True");
      assertThat(conditions.get("Established").getReason()).isEqualTo("InitialNamesAccepted");
      assertThat(conditions.get("NamesAccepted").getStatus()).isEqualTo("True");
      assertThat(conditions.get("NamesAccepted").getReason()).isEqualTo("NoConflicts");
      assertThat(conditions.get("Established").getLastTransitionTime()).isNotBlank();
      assertThat(api.crdsEstablished()).as("only one of the three is there").isFalse();

      for (int i = 1; i < EmbeddedApiServer.CRD_RESOURCES.size(); i++) {
        client.apiextensions().v1().customResourceDefinitions().resource(crd(i)).create();
      }
      assertThat(api.crdsEstablished()).isTrue();
    }
  }

  @Test
  void anUpdateWithoutStatusKeepsItAndANewStorageVersionIsAddedToTheStoredOnes() throws Exception {
    ServiceAccountTokensTest.TestClock clock = new ServiceAccountTokensTest.TestClock();
    try (EmbeddedApiServer api =
        EmbeddedApiServer.start(EmbeddedApiServer.options().clock(clock))) {
      KubernetesClient client = api.client();
      String name = EmbeddedApiServer.CRD_NAMES.get(0);
      CustomResourceDefinition before =
          client.apiextensions().v1().customResourceDefinitions().withName(name).get();
      assertThat(conditions(before).get("Established").getStatus()).isEqualTo("True");
      String since = conditions(before).get("Established").getLastTransitionTime();
      assertThat(since).isEqualTo(clock.now.toString());
      clock.now = clock.now.plusSeconds(3600);

      // A PUT of the spec alone, as kubectl replace sends it: the status stays the server's.
      CustomResourceDefinition replaced = crd(0);
      replaced.getMetadata().setResourceVersion(before.getMetadata().getResourceVersion());
      CustomResourceDefinitionVersion next =
          Serialization.clone(replaced.getSpec().getVersions().get(0));
      next.setName("v1beta1");
      replaced.getSpec().getVersions().get(0).setStorage(false);
      replaced.getSpec().getVersions().add(next);
      CustomResourceDefinition after =
          client.apiextensions().v1().customResourceDefinitions().resource(replaced).update();

      assertThat(after.getStatus().getStoredVersions()).containsExactly("v1alpha1", "v1beta1");
      assertThat(conditions(after).get("Established").getLastTransitionTime()).isEqualTo(since);
      assertThat(after.getStatus().getAcceptedNames()).isEqualTo(replaced.getSpec().getNames());
    }
  }

  @Test
  void aStatusWriteKeepsOtherConditionsAndMayDropOldStoredVersionsButNotTheStorageVersion()
      throws Exception {
    try (EmbeddedApiServer api =
        EmbeddedApiServer.start(EmbeddedApiServer.options().withoutCrds())) {
      KubernetesClient client = api.client();
      CustomResourceDefinition crd = crd(0);
      String name = crd.getMetadata().getName();
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      var resource = client.apiextensions().v1().customResourceDefinitions().withName(name);

      // The storage migration's last step: the stored versions become the storage version alone.
      CustomResourceDefinition patched =
          resource
              .subresource("status")
              .patch(
                  io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                      io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                  """
                  {"status": {"storedVersions": ["v1alpha1"],
                   "conditions": [{"type": "MigrationDone", "status": "True",
                     "lastTransitionTime": "2026-01-01T00:00:00Z", "reason": "Done",
                     "message": "done"}]}}
                  """);
      assertThat(patched.getStatus().getStoredVersions()).containsExactly("v1alpha1");
      assertThat(conditions(patched)).containsKeys("MigrationDone", "Established", "NamesAccepted");

      io.fabric8.kubernetes.client.KubernetesClientException refused =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              io.fabric8.kubernetes.client.KubernetesClientException.class,
              () ->
                  resource
                      .subresource("status")
                      .patch(
                          io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                              io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                          "{\"status\": {\"storedVersions\": []}}"));
      assertThat(refused.getCode()).isEqualTo(422);
      assertThat(refused.getStatus().getMessage())
          .contains("status.storedVersions")
          .contains("must have the storage version v1alpha1");
      assertThat(resource.get().getStatus().getStoredVersions()).containsExactly("v1alpha1");
    }
  }
}
