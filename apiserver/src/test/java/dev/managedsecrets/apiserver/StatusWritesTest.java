package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

/**
 * Status writes are optimistic, as every write is on a real API server: one that carries an older
 * resourceVersion is refused with 409, so two writers of a status can't both win from one read.
 */
class StatusWritesTest {

  private static ManagedSecret withVersion(ManagedSecret read, String versionId) {
    ManagedSecret copy = new ManagedSecret();
    copy.setMetadata(read.getMetadata());
    copy.setSpec(read.getSpec());
    copy.setStatus(new ManagedSecretStatus());
    copy.getStatus().versionId = versionId;
    return copy;
  }

  @Test
  void aStatusWrittenFromAnOlderResourceVersionIsRefusedWithConflict() {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      KubernetesClient client = api.client();
      ManagedSecret ms = new ManagedSecret();
      ms.getMetadata().setName("orders");
      ms.getMetadata().setNamespace("default");
      ms.setSpec(new ManagedSecretSpec());
      ms.getSpec().secretString = "v";
      ManagedSecret read = client.resource(ms).create();

      ManagedSecret first = client.resource(withVersion(read, "first")).updateStatus();
      assertThat(first.getMetadata().getResourceVersion())
          .isNotEqualTo(read.getMetadata().getResourceVersion());

      // A second writer read the object before the first wrote.
      assertThatThrownBy(() -> client.resource(withVersion(read, "second")).updateStatus())
          .isInstanceOfSatisfying(
              KubernetesClientException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(409);
                assertThat(e.getStatus().getMessage())
                    .isEqualTo(
                        "Operation cannot be fulfilled on managedsecrets.managedsecrets.dev"
                            + " \"orders\": the object has been modified; please apply your"
                            + " changes to the latest version and try again");
              });
      assertThat(client.resource(read).get().getStatus().versionId).isEqualTo("first");

      // From the object as it is now, the write goes through.
      ManagedSecret third = client.resource(withVersion(first, "third")).updateStatus();
      assertThat(third.getStatus().versionId).isEqualTo("third");
    }
  }
}
