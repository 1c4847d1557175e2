package dev.managedsecrets.operator.it;

import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.api.v1alpha1.KmsKeySpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Small helpers shared by the integration tests. */
final class Fixtures {

  static final Duration WAIT = Duration.ofSeconds(30);

  private Fixtures() {}

  static ManagedSecret managedSecret(
      String namespace, String name, Consumer<ManagedSecretSpec> spec) {
    ManagedSecret ms = new ManagedSecret();
    ms.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    ManagedSecretSpec s = new ManagedSecretSpec();
    spec.accept(s);
    ms.setSpec(s);
    return ms;
  }

  static ManagedSecret create(KubernetesClient client, ManagedSecret ms) {
    return client.resource(ms).create();
  }

  static ManagedSecret get(KubernetesClient client, String namespace, String name) {
    return client.resources(ManagedSecret.class).inNamespace(namespace).withName(name).get();
  }

  /**
   * Edits the spec as a user would. When the operator wrote the object (its status) between the
   * read and the write, the API server refuses the write (409) and the edit is made again on the
   * newer object, as kubectl does.
   */
  static ManagedSecret edit(
      KubernetesClient client, String namespace, String name, Consumer<ManagedSecretSpec> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        return client
            .resources(ManagedSecret.class)
            .inNamespace(namespace)
            .withName(name)
            .edit(
                ms -> {
                  change.accept(ms.getSpec());
                  return ms;
                });
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
  }

  /** Sets the rotate-now annotation to {@code value}, as kubectl annotate does: one rotation. */
  static void rotateNow(KubernetesClient client, String namespace, String name, String value) {
    client
        .resources(ManagedSecret.class)
        .inNamespace(namespace)
        .withName(name)
        .edit(
            ms -> {
              ms.getMetadata().setAnnotations(Map.of("managedsecrets.dev/rotate-now", value));
              return ms;
            });
  }

  static Condition ready(ManagedSecret ms) {
    return condition(ms, "Ready");
  }

  /** The condition of this type (Ready, Reconciling, Stalled), or null. */
  static Condition condition(ManagedSecret ms, String type) {
    if (ms == null || ms.getStatus() == null || ms.getStatus().conditions == null) {
      return null;
    }
    return ms.getStatus().conditions.stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  /**
   * Waits until Ready has this status and reason for the current generation; returns the object.
   */
  static ManagedSecret awaitReady(
      KubernetesClient client, String namespace, String name, String status, String reason) {
    await()
        .atMost(WAIT)
        .until(
            () -> {
              ManagedSecret ms = get(client, namespace, name);
              Condition c = ready(ms);
              return c != null
                  && status.equals(c.getStatus())
                  && reason.equals(c.getReason())
                  && ms.getMetadata().getGeneration().equals(c.getObservedGeneration());
            });
    return get(client, namespace, name);
  }

  static ManagedSecret awaitSynced(KubernetesClient client, String namespace, String name) {
    return awaitReady(client, namespace, name, "True", "Synced");
  }

  /** Creates a KmsKey and waits until it is Ready=True. */
  static KmsKey createKeySynced(
      KubernetesClient client, String namespace, String name, Consumer<KmsKeySpec> spec) {
    KmsKey key = new KmsKey();
    key.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    spec.accept(key.getSpec());
    client.resource(key).create();
    await()
        .atMost(WAIT)
        .until(
            () -> {
              KmsKey k = client.resources(KmsKey.class).inNamespace(namespace).withName(name).get();
              return k.getStatus() != null
                  && k.getStatus().conditions != null
                  && k.getStatus().conditions.stream()
                      .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            });
    return client.resources(KmsKey.class).inNamespace(namespace).withName(name).get();
  }

  static Secret secret(KubernetesClient client, String namespace, String name) {
    return client.secrets().inNamespace(namespace).withName(name).get();
  }

  /** The Secret's data decoded as UTF-8 text. */
  static Map<String, String> text(Secret secret) {
    Map<String, String> out = new TreeMap<>();
    secret
        .getData()
        .forEach(
            (k, v) ->
                out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    return out;
  }

  static KmsKey kmsKey(
      KubernetesClient client, String namespace, String name, Consumer<KmsKeySpec> spec) {
    KmsKey key = new KmsKey();
    key.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    spec.accept(key.getSpec());
    return client.resource(key).create();
  }

  static KmsKey kmsKey(KubernetesClient client, String namespace, String name) {
    return client.resources(KmsKey.class).inNamespace(namespace).withName(name).get();
  }

  /** Waits until the KmsKey's key is Enabled; returns the KmsKey. */
  static KmsKey awaitKeyEnabled(KubernetesClient client, String namespace, String name) {
    await()
        .atMost(WAIT)
        .until(
            () -> {
              KmsKey k = kmsKey(client, namespace, name);
              return k != null && k.getStatus() != null && "Enabled".equals(k.getStatus().keyState);
            });
    return kmsKey(client, namespace, name);
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Sets an annotation of a ManagedSecret, keeping the others. */
  static void annotate(
      KubernetesClient client, String namespace, String name, String key, String value) {
    client
        .resources(ManagedSecret.class)
        .inNamespace(namespace)
        .withName(name)
        .edit(
            ms -> {
              Map<String, String> annotations = new java.util.HashMap<>();
              if (ms.getMetadata().getAnnotations() != null) {
                annotations.putAll(ms.getMetadata().getAnnotations());
              }
              annotations.put(key, value);
              ms.getMetadata().setAnnotations(annotations);
              return ms;
            });
  }

  /** The Events of the object {@code name} in {@code namespace}. */
  static java.util.List<io.fabric8.kubernetes.api.model.Event> events(
      KubernetesClient client, String namespace, String name) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }
}
