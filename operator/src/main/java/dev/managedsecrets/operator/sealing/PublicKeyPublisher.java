package dev.managedsecrets.operator.sealing;

import dev.managedsecrets.core.sealing.PublishedSealingKeys;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Publishes the sealing public keys in the ConfigMap {@value PublishedSealingKeys#CONFIG_MAP} of
 * the operator's namespace, which the chart lets every authenticated user read: {@code keys.json}
 * (ids, dates, PEM) and {@code current.pem}. Written only when it changed.
 */
final class PublicKeyPublisher {

  private final KubernetesClient client;
  private final String namespace;

  PublicKeyPublisher(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  void publish(PublishedSealingKeys keys) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(PublishedSealingKeys.KEYS, keys.toJson());
    keys.currentKey()
        .ifPresent(k -> data.put(PublishedSealingKeys.CURRENT_PEM, k.publicKey().toPem()));
    var resource =
        client.configMaps().inNamespace(namespace).withName(PublishedSealingKeys.CONFIG_MAP);
    ConfigMap live = resource.get();
    if (live != null && data.equals(live.getData())) {
      return;
    }
    try {
      if (live == null) {
        client
            .configMaps()
            .inNamespace(namespace)
            .resource(
                new ConfigMapBuilder()
                    .withNewMetadata()
                    .withName(PublishedSealingKeys.CONFIG_MAP)
                    .withNamespace(namespace)
                    .addToLabels("app.kubernetes.io/part-of", "managedsecret-operator")
                    .endMetadata()
                    .withData(data)
                    .build())
            .create();
      } else {
        client
            .configMaps()
            .inNamespace(namespace)
            .resource(new ConfigMapBuilder(live).withData(data).build())
            .update();
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // Another replica published meanwhile; the next publication brings it up to date.
    }
  }
}
