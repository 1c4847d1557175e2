package dev.managedsecrets.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.apiserver.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lookups of one object go through the name index, not a scan of the store: a random mix of
 * creates, label changes (which change the store's key), finalizers, deletes and reads of objects
 * sharing names across kinds and namespaces must answer as a model of the store does.
 */
class StoreLookupIT {

  private static EmbeddedApiServer api;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    api = EmbeddedApiServer.start(0);
    client = api.client();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private record Id(String kind, String namespace, String name) {}

  @Test
  void readsAndWritesAgreeWithAModelOfTheStore() {
    Random random = new Random(42);
    List<String> kinds = List.of("Secret", "ConfigMap");
    List<String> namespaces = List.of("default", "kube-system");
    List<String> names = List.of("a", "b", "c");
    Map<Id, String> model = new HashMap<>(); // id -> the "v" label it carries
    for (int i = 0; i < 400; i++) {
      Id id =
          new Id(
              kinds.get(random.nextInt(2)),
              namespaces.get(random.nextInt(2)),
              names.get(random.nextInt(3)));
      String label = "v" + i;
      switch (random.nextInt(4)) {
        case 0 -> {
          boolean created = create(id, label);
          assertThat(created).as("create %s", id).isEqualTo(!model.containsKey(id));
          model.putIfAbsent(id, label);
        }
        case 1 -> {
          HasMetadata current = read(id);
          if (current != null) {
            current.getMetadata().getLabels().put("v", label);
            client.resource(current).update();
            model.put(id, label);
          }
        }
        case 2 -> {
          boolean deleted = !client.resource(object(id, "x")).delete().isEmpty();
          assertThat(deleted).as("delete %s", id).isEqualTo(model.remove(id) != null);
        }
        default -> {}
      }
      for (Id each : model.keySet()) {
        HasMetadata found = read(each);
        assertThat(found).as("read %s after step %d", each, i).isNotNull();
        assertThat(found.getMetadata().getLabels()).containsEntry("v", model.get(each));
      }
      for (String kind : kinds) {
        for (String ns : namespaces) {
          for (String name : names) {
            Id each = new Id(kind, ns, name);
            if (!model.containsKey(each)) {
              assertThat(read(each)).as("read %s after step %d", each, i).isNull();
            }
          }
        }
      }
    }
  }

  @Test
  void anObjectKeptByAFinalizerIsFoundUntilTheFinalizerGoes() {
    Secret s =
        new SecretBuilder()
            .withNewMetadata()
            .withName("held")
            .withNamespace("default")
            .addToFinalizers("example.com/hold")
            .addToLabels("v", "1")
            .endMetadata()
            .build();
    client.resource(s).create();
    client.resource(s).delete();
    Secret marked = client.secrets().inNamespace("default").withName("held").get();
    assertThat(marked.getMetadata().getDeletionTimestamp()).isNotNull();
    marked.getMetadata().setFinalizers(List.of());
    client.resource(marked).update();
    assertThat(client.secrets().inNamespace("default").withName("held").get()).isNull();
  }

  private boolean create(Id id, String label) {
    try {
      client.resource(object(id, label)).create();
      return true;
    } catch (KubernetesClientException e) {
      assertThat(e.getCode()).isEqualTo(409);
      return false;
    }
  }

  private HasMetadata read(Id id) {
    return id.kind().equals("Secret")
        ? client.secrets().inNamespace(id.namespace()).withName(id.name()).get()
        : client.configMaps().inNamespace(id.namespace()).withName(id.name()).get();
  }

  private static HasMetadata object(Id id, String label) {
    if (id.kind().equals("Secret")) {
      return new SecretBuilder()
          .withNewMetadata()
          .withName(id.name())
          .withNamespace(id.namespace())
          .addToLabels("v", label)
          .endMetadata()
          .build();
    }
    ConfigMap cm =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName(id.name())
            .withNamespace(id.namespace())
            .addToLabels("v", label)
            .endMetadata()
            .build();
    return cm;
  }
}
