package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

/**
 * Errors answered as the API server answers them, with the reason client-go tells them apart by
 * (errors.IsAlreadyExists, errors.IsConflict): Helm's --create-namespace, kubectl create and every
 * client's retry on a conflict depend on it.
 */
class StatusReasonsTest {

  private static Status refused(int code, Runnable write) {
    KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class, write::run);
    assertThat(e).as("refused").isNotNull();
    assertThat(e.getCode()).isEqualTo(code);
    return e.getStatus();
  }

  /** A ConfigMap in the namespace default (for the other tests of error answers too). */
  static ConfigMap configMap(String name) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .endMetadata()
        .addToData("k", "v")
        .build();
  }

  @Test
  void aCreateOfATakenNameIsAlreadyExistsWithTheNameAndKind() {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      KubernetesClient client = api.client();
      Status ns =
          refused(
              409,
              () ->
                  client
                      .namespaces()
                      .resource(
                          new NamespaceBuilder()
                              .withNewMetadata()
                              .withName("default")
                              .endMetadata()
                              .build())
                      .create());
      assertThat(ns.getReason()).isEqualTo("AlreadyExists");
      assertThat(ns.getMessage()).isEqualTo("namespaces \"default\" already exists");
      assertThat(ns.getDetails().getName()).isEqualTo("default");
      assertThat(ns.getDetails().getKind()).isEqualTo("namespaces");
      assertThat(ns.getDetails().getGroup()).isNull();

      client.resource(configMap("taken")).create();
      Status cm = refused(409, () -> client.resource(configMap("taken")).create());
      assertThat(cm.getReason()).isEqualTo("AlreadyExists");
      assertThat(cm.getMessage()).isEqualTo("configmaps \"taken\" already exists");
    }
  }

  @Test
  void anUpdateFromAnOlderResourceVersionIsConflict() {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      KubernetesClient client = api.client();
      ConfigMap first = client.resource(configMap("raced")).create();
      client.resource(new ConfigMapBuilder(first).addToData("k", "w").build()).update();

      Status stale =
          refused(
              409,
              () ->
                  client
                      .resource(new ConfigMapBuilder(first).addToData("k", "x").build())
                      .update());
      assertThat(stale.getReason()).isEqualTo("Conflict");
      assertThat(stale.getMessage())
          .isEqualTo(
              "Operation cannot be fulfilled on configmaps \"raced\": the object has been modified;"
                  + " please apply your changes to the latest version and try again");
      assertThat(stale.getDetails().getName()).isEqualTo("raced");
      assertThat(stale.getDetails().getKind()).isEqualTo("configmaps");
    }
  }
}
