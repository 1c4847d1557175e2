package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Secret updates refused as the API server's ValidateSecretUpdate refuses them: an immutable Secret
 * keeps its data and stays immutable, and no Secret changes its type; its metadata may change all
 * the same.
 */
class SecretUpdatesTest {

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static Secret immutable(KubernetesClient client) {
    return client
        .secrets()
        .inNamespace("default")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("frozen")
                .endMetadata()
                .withImmutable(true)
                .addToData("token", b64("one"))
                .build())
        .create();
  }

  private static KubernetesClientException refused(Runnable write) {
    KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class, write::run);
    assertThat(e).as("refused").isNotNull();
    assertThat(e.getCode()).isEqualTo(422);
    assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
    return e;
  }

  @Test
  void anImmutableSecretsDataCanNotBeUpdatedOrPatched() {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      KubernetesClient client = api.client();
      Secret created = immutable(client);

      KubernetesClientException update =
          refused(
              () ->
                  client
                      .resource(
                          new SecretBuilder(created).withData(Map.of("token", b64("two"))).build())
                      .update());
      assertThat(update.getStatus().getMessage())
          .isEqualTo(
              "Secret \"frozen\" is invalid: data: Forbidden: field is immutable when `immutable`"
                  + " is set");
      refused(
          () ->
              client
                  .secrets()
                  .inNamespace("default")
                  .withName("frozen")
                  .edit(s -> new SecretBuilder(s).addToStringData("more", "x").build()));

      Secret after = client.secrets().inNamespace("default").withName("frozen").get();
      assertThat(after.getData()).containsExactly(Map.entry("token", b64("one")));
      assertThat(after.getMetadata().getResourceVersion())
          .isEqualTo(created.getMetadata().getResourceVersion());
    }
  }

  @Test
  void anImmutableSecretStaysImmutableButItsLabelsMayChange() {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      KubernetesClient client = api.client();
      Secret created = immutable(client);

      KubernetesClientException e =
          refused(
              () ->
                  client
                      .resource(new SecretBuilder(created).withImmutable(false).build())
                      .update());
      assertThat(e.getStatus().getMessage())
          .isEqualTo(
              "Secret \"frozen\" is invalid: immutable: Forbidden: field is immutable when"
                  + " `immutable` is set");

      Secret labelled =
          client
              .resource(
                  new SecretBuilder(created)
                      .editMetadata()
                      .addToLabels("team", "a")
                      .endMetadata()
                      .build())
              .update();
      assertThat(labelled.getMetadata().getLabels()).containsEntry("team", "a");
      assertThat(labelled.getImmutable()).isTrue();
    }
  }

  @Test
  void aSecretsTypeCanNotBeUpdated() {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      KubernetesClient client = api.client();
      Secret created =
          client
              .secrets()
              .inNamespace("default")
              .resource(
                  new SecretBuilder()
                      .withNewMetadata()
                      .withName("typed")
                      .endMetadata()
                      .addToData("username", b64("u"))
                      .build())
              .create();

      KubernetesClientException e =
          refused(
              () ->
                  client
                      .resource(
                          new SecretBuilder(created).withType("kubernetes.io/basic-auth").build())
                      .update());
      assertThat(e.getStatus().getMessage())
          .isEqualTo(
              "Secret \"typed\" is invalid: type: Invalid value: \"kubernetes.io/basic-auth\":"
                  + " field is immutable");
    }
  }
}
