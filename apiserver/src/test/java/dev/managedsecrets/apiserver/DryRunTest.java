package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.Test;

/**
 * A write with {@code dryRun=All} (kubectl's {@code --dry-run=server}, {@code kubectl diff}) is
 * checked and answered as it would be stored, and nothing is stored.
 */
class DryRunTest {

  private static ConfigMap configMap(String value) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName("cm")
        .withNamespace("default")
        .endMetadata()
        .addToData("k", value)
        .build();
  }

  @Test
  void aDryRunCreateUpdatePatchOrApplyAnswersTheResultAndStoresNothing() {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      KubernetesClient client = api.client();
      ConfigMap answered = client.resource(configMap("one")).dryRun().create();
      assertThat(answered.getData()).containsEntry("k", "one");
      assertThat(client.configMaps().inNamespace("default").withName("cm").get()).isNull();

      ConfigMap stored = client.resource(configMap("one")).create();
      String version = stored.getMetadata().getResourceVersion();

      ConfigMap updated =
          client.resource(configMap("two")).dryRun().createOr(existing -> existing.update());
      assertThat(updated.getData()).containsEntry("k", "two");
      ConfigMap patched =
          client
              .configMaps()
              .inNamespace("default")
              .withName("cm")
              .dryRun()
              .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"data\":{\"k\":\"three\"}}");
      assertThat(patched.getData()).containsEntry("k", "three");
      ConfigMap applied =
          client
              .resource(configMap("four"))
              .dryRun()
              .fieldManager("test")
              .forceConflicts()
              .serverSideApply();
      assertThat(applied.getData()).containsEntry("k", "four");

      ConfigMap after = client.configMaps().inNamespace("default").withName("cm").get();
      assertThat(after.getData()).containsEntry("k", "one");
      assertThat(after.getMetadata().getResourceVersion()).isEqualTo(version);
    }
  }

  @Test
  void aDryRunIsStillRefusedForWhatTheWriteWouldBeRefused() {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      KubernetesClient client = api.client();
      client.resource(configMap("one")).create();
      KubernetesClientException taken =
          catchThrowableOfType(
              KubernetesClientException.class,
              () -> client.resource(configMap("two")).dryRun().create());
      assertThat(taken.getStatus().getReason()).isEqualTo("AlreadyExists");
    }
  }

  @Test
  void aDryRunValueOtherThanAllIsRefusedAndNothingIsStored() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      java.net.http.HttpResponse<String> answer =
          java.net.http.HttpClient.newBuilder()
              .sslContext(api.trust())
              .build()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(
                              api.url() + "/api/v1/namespaces/default/configmaps?dryRun=Bogus"))
                      .header("Authorization", "Bearer " + api.token())
                      .header("Content-Type", "application/json")
                      .POST(
                          java.net.http.HttpRequest.BodyPublishers.ofString(
                              "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
                                  + "\"metadata\":{\"name\":\"cm\"}}"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).isEqualTo(422);
      assertThat(answer.body())
          .contains("\"reason\":\"Invalid\"")
          .contains("CreateOptions.meta.k8s.io \\\"\\\" is invalid: dryRun: Unsupported value");
      assertThat(api.client().configMaps().inNamespace("default").withName("cm").get()).isNull();
    }
  }

  @Test
  void aDryRunCreateWithGenerateNameIsAnsweredWithTheNameItWouldGet() {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      ConfigMap generated =
          new ConfigMapBuilder()
              .withNewMetadata()
              .withGenerateName("cm-")
              .withNamespace("default")
              .endMetadata()
              .build();
      ConfigMap answered = api.client().resource(generated).dryRun().create();
      assertThat(answered.getMetadata().getName()).matches("cm-[bcdfghjklmnpqrstvwxz2456789]{5}");
      assertThat(api.client().configMaps().inNamespace("default").list().getItems()).isEmpty();
    }
  }
}
