package dev.managedsecrets.operator.it;

import dev.managedsecrets.core.sealing.PublishedSealingKeys;
import dev.managedsecrets.core.sealing.Sealer;
import dev.managedsecrets.core.sealing.SealingBinding;
import dev.managedsecrets.core.sealing.SealingPublicKey;
import dev.managedsecrets.core.sealing.SealingTarget;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;

/** Seals values as the kubectl plugin does: with the public key the operator published. */
final class Sealing {

  private Sealing() {}

  /** The keys the operator published, read as any authenticated user reads them. */
  static PublishedSealingKeys published(KubernetesClient client) {
    return PublishedSealingKeys.parse(configMap(client).getData().get(PublishedSealingKeys.KEYS));
  }

  /** The ConfigMap the operator publishes its public keys in. */
  static ConfigMap configMap(KubernetesClient client) {
    return client
        .configMaps()
        .inNamespace(TestCluster.OPERATOR_NAMESPACE)
        .withName(PublishedSealingKeys.CONFIG_MAP)
        .get();
  }

  /** A sealedData value for one key of one ManagedSecret (scope strict), with the current key. */
  static String sealData(
      KubernetesClient client, String namespace, String name, String key, String value) {
    return seal(
        published(client).current(),
        SealingBinding.strict(namespace, name, SealingTarget.data(key)),
        value);
  }

  static String seal(SealingPublicKey key, SealingBinding binding, String value) {
    return Sealer.seal(key, binding, value.getBytes(StandardCharsets.UTF_8));
  }
}
