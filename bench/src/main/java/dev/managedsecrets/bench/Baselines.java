package dev.managedsecrets.bench;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import dev.managedsecrets.core.projection.Projection;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The two baselines the operator is measured against, each a bare fabric8 client writing directly
 * to the API server, for ManagedSecret {@code app-i} in namespace {@code baseline}:
 *
 * <ul>
 *   <li><b>the floor</b>: only the writes the job needs. Create: the ManagedSecret (the user's
 *       write), the encrypted version stored (one Secret in the operator's namespace holding a
 *       ciphertext-sized blob), the projected Secret, one status write. Value change: the user's
 *       change, one store write, the projected Secret's update, one status write. It does not
 *       follow what the operator does: it is what any implementation of the job has to write.
 *   <li><b>like-for-like</b>: the writes the operator made when this baseline was written (create:
 *       the ManagedSecret, its finalizer patch, the store's record and version created, the record
 *       updated, the projected Secret, three Events, one status update; change: the user's change,
 *       the version created, the record and the projected Secret updated, two Events, one status
 *       update). It measures how well the operator does its own pattern; when the operator's
 *       pattern changes, the harness prints both so the difference shows.
 * </ul>
 *
 * <p>Both write the same status (a Ready condition, the observed generation, the ARN and the
 * current version), so that the server's admission cost of a status write is the same in both.
 */
final class Baselines {

  static final String NAMESPACE = "baseline";
  static final String STORE_NAMESPACE = "managedsecret-system";

  /**
   * Bytes of a stored version: AES-GCM ciphertext of the value (12-byte nonce, 16-byte tag) and a
   * wrapped 256-bit data key as KMS returns it (a 184-byte CiphertextBlob).
   */
  static int ciphertextBytes(ManagedSecret ms) {
    int plain = 0;
    for (Map.Entry<String, String> e : ms.getSpec().data.entrySet()) {
      plain += e.getKey().length() + e.getValue().getBytes(StandardCharsets.UTF_8).length + 6;
    }
    return plain + 12 + 16 + 184;
  }

  private final KubernetesClient client;

  Baselines(KubernetesClient client) {
    this.client = client;
  }

  /** The floor's writes for a new ManagedSecret {@code id}. */
  void floorCreate(int id, boolean labelled) {
    ManagedSecret ms = client.resource(managedSecret(id)).create();
    client.resource(secret(STORE_NAMESPACE, "floor-" + id, ciphertextBytes(ms), "v1")).create();
    client.resource(projected(id, labelled)).create();
    updateStatus(ms, "v1");
  }

  /** The floor's writes for a value change of ManagedSecret {@code id} ({@code round} from 1). */
  void floorChange(int id, int round) {
    ManagedSecret ms = Harness.changeValue(client, NAMESPACE, id, round);
    String version = "v" + (round + 1);
    Secret store = client.secrets().inNamespace(STORE_NAMESPACE).withName("floor-" + id).get();
    client
        .resource(
            new SecretBuilder(store)
                .addToData(version, blob(store.getMetadata().getName(), ciphertextBytes(ms)))
                .build())
        .update();
    updateProjected(id, version);
    updateStatus(ms, version);
  }

  /** The like-for-like writes for a new ManagedSecret {@code id}. */
  void likeForLikeCreate(int id, boolean labelled) {
    ManagedSecret ms = client.resource(managedSecret(id)).create();
    ms =
        client
            .resource(ms)
            .edit(
                m -> {
                  m.getMetadata().setFinalizers(List.of("managedsecrets.dev/finalizer"));
                  return m;
                });
    Secret record = client.resource(secret(STORE_NAMESPACE, "rec-" + id, 600, "r")).create();
    client
        .resource(secret(STORE_NAMESPACE, "ver-" + id + "-1", ciphertextBytes(ms), "v1"))
        .create();
    client.resource(new SecretBuilder(record).addToData("more", "AAAA").build()).update();
    client.resource(projected(id, labelled)).create();
    events(id, 3, "Created");
    updateStatus(ms, "v1");
  }

  /** The like-for-like writes for a value change of ManagedSecret {@code id}. */
  void likeForLikeChange(int id, int round) {
    ManagedSecret ms = Harness.changeValue(client, NAMESPACE, id, round);
    String version = "v" + (round + 1);
    client
        .resource(
            secret(STORE_NAMESPACE, "ver-" + id + "-" + (round + 1), ciphertextBytes(ms), version))
        .create();
    Secret record = client.secrets().inNamespace(STORE_NAMESPACE).withName("rec-" + id).get();
    client.resource(new SecretBuilder(record).addToData("current", "QUFB").build()).update();
    updateProjected(id, version);
    events(id, 2, "Changed" + round);
    updateStatus(ms, version);
  }

  private static ManagedSecret managedSecret(int id) {
    ManagedSecret ms = Harness.managedSecret(id);
    ms.getMetadata().setNamespace(NAMESPACE);
    return ms;
  }

  private static Secret projected(int id, boolean labelled) {
    Secret projected = secret(NAMESPACE, "app-" + id, 100, "v1");
    if (labelled) {
      projected.getMetadata().setLabels(Map.of(Projection.MANAGED_BY_LABEL, Projection.MANAGED_BY));
    }
    return projected;
  }

  private void updateProjected(int id, String version) {
    Secret projected = client.secrets().inNamespace(NAMESPACE).withName("app-" + id).get();
    projected.getMetadata().getAnnotations().put("managedsecrets.dev/version-id", version);
    projected.setData(Map.of("v", blob(version + id, 100)));
    client.resource(projected).update();
  }

  private void events(int id, int count, String reason) {
    for (int e = 0; e < count; e++) {
      client
          .v1()
          .events()
          .inNamespace(NAMESPACE)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName("app-" + id + "." + reason.toLowerCase() + "." + e)
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withKind("ManagedSecret")
                  .withName("app-" + id)
                  .endInvolvedObject()
                  .withReason(reason)
                  .withMessage(reason)
                  .withType("Normal")
                  .build())
          .create();
    }
  }

  private void updateStatus(ManagedSecret ms, String version) {
    ManagedSecretStatus status = new ManagedSecretStatus();
    status.arn =
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:"
            + NAMESPACE
            + "/"
            + ms.getMetadata().getName()
            + "-AbCdEf";
    status.versionId = version;
    status.observedGeneration = ms.getMetadata().getGeneration();
    status.conditions =
        List.of(
            new ConditionBuilder()
                .withType("Ready")
                .withStatus("True")
                .withReason("Synced")
                .withMessage("The value is stored and projected")
                .withLastTransitionTime("2026-12-07T00:00:00Z")
                .withObservedGeneration(ms.getMetadata().getGeneration())
                .build());
    ms.setStatus(status);
    client.resource(ms).updateStatus();
  }

  static Secret secret(String ns, String name, int bytes, String version) {
    return new SecretBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .addToAnnotations("managedsecrets.dev/version-id", version)
        .endMetadata()
        .addToData("v", blob(name, bytes))
        .build();
  }

  static String blob(String seed, int bytes) {
    byte[] b = new byte[bytes];
    new Random(seed.hashCode()).nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }
}
