package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One slow request holds no other: requests are answered concurrently, admission outside the lock.
 */
@Timeout(180)
class ConcurrentRequestsTest {

  /** Admits as usual, but holds the object named "slow" until released. */
  private static final class SlowAdmission extends Admission {
    final CountDownLatch admitting = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    void admit(
        ResourceType type, ObjectNode object, JsonNode old, boolean strict, boolean statusOnly) {
      if (object.at("/metadata/name").asText().equals("slow")) {
        admitting.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      super.admit(type, object, old, strict, statusOnly);
    }
  }

  private static ManagedSecret managedSecret(String name) {
    ManagedSecret ms = new ManagedSecret();
    ms.getMetadata().setName(name);
    ms.getMetadata().setNamespace("default");
    ms.setSpec(new ManagedSecretSpec());
    ms.getSpec().secretString = "v";
    return ms;
  }

  @Test
  void anotherClientsReadsAndWritesAreAnsweredWhileAnAdmissionRuns() throws Exception {
    SlowAdmission admission = new SlowAdmission();
    ExecutorService clients = Executors.newFixedThreadPool(2);
    try (EmbeddedApiServer api =
            EmbeddedApiServer.start(EmbeddedApiServer.options().admission(admission));
        KubernetesClient other = new KubernetesClientBuilder().withConfig(api.config()).build()) {
      Future<ManagedSecret> slow =
          clients.submit(() -> api.client().resource(managedSecret("slow")).create());
      assertThat(admission.admitting.await(60, TimeUnit.SECONDS)).as("admission began").isTrue();

      Future<?> answered =
          clients.submit(
              () -> {
                other
                    .configMaps()
                    .resource(
                        new ConfigMapBuilder()
                            .withNewMetadata()
                            .withName("cm")
                            .endMetadata()
                            .build())
                    .create();
                other.resource(managedSecret("fast")).create();
                return other.resources(ManagedSecret.class).list().getItems();
              });
      // Before, every request waited for the slow admission: this would never be answered.
      assertThat(answered.get(60, TimeUnit.SECONDS))
          .asList()
          .extracting(o -> ((ManagedSecret) o).getMetadata().getName())
          .containsExactly("fast");
      assertThat(slow).isNotDone();

      admission.release.countDown();
      assertThat(slow.get(60, TimeUnit.SECONDS).getMetadata().getName()).isEqualTo("slow");
      assertThat(api.client().configMaps().withName("cm").get()).isNotNull();
    } finally {
      admission.release.countDown();
      clients.shutdownNow();
    }
  }
}
