package dev.managedsecrets.operator.endpoint;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The issuing keys in a Secret of the operator's namespace (data {@value #KEY}), written with the
 * resourceVersion it was read at, so that of two replicas writing at once one wins and the other is
 * told (HTTP 409).
 */
final class IssuingKeySecret implements IssuingKeyRing.Source {

  static final String KEY = "issuing-keys";

  private final KubernetesClient client;
  private final String namespace;
  private final String name;

  IssuingKeySecret(KubernetesClient client, String namespace, String name) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
  }

  @Override
  public IssuingKeyRing.Stored read() {
    Secret found = client.secrets().inNamespace(namespace).withName(name).get();
    return found == null ? null : stored(found);
  }

  private IssuingKeyRing.Stored stored(Secret secret) {
    String encoded = secret.getData() == null ? null : secret.getData().get(KEY);
    IssuingKeys keys;
    try {
      keys =
          encoded == null
              ? IssuingKeys.empty()
              : IssuingKeys.parse(Base64.getDecoder().decode(encoded));
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalStateException(
          "Secret " + namespace + "/" + name + " holds no ring of issuing keys (" + KEY + ")");
    }
    return new IssuingKeyRing.Stored(keys, secret.getMetadata().getResourceVersion());
  }

  @Override
  public IssuingKeyRing.Stored write(IssuingKeys keys, String version) {
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(name)
            .withResourceVersion(version)
            .addToLabels("app.kubernetes.io/managed-by", "managedsecret-operator")
            .endMetadata()
            .withType("Opaque")
            .withData(
                Map.of(
                    KEY,
                    Base64.getEncoder()
                        .encodeToString(keys.text().getBytes(StandardCharsets.UTF_8))))
            .build();
    try {
      return stored(
          version == null ? client.resource(secret).create() : client.resource(secret).update());
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || (version != null && e.getCode() == 404)) {
        return null;
      }
      throw e;
    }
  }
}
