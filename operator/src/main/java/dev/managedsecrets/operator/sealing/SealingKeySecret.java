package dev.managedsecrets.operator.sealing;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Base64;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The Secret that stores the {@link SealingKeyring}: {@value #SECRET_NAME} in the operator's
 * namespace, {@code keys.json} in its data. Its private keys are wrapped under the KMS, so a copy
 * of it opens nothing without the KMS; back it up with the keyring (docs/KMS.md). Written with its
 * resourceVersion: when another replica wrote it first, it is read again and the change applied
 * again.
 */
public final class SealingKeySecret {

  public static final String SECRET_NAME = "managedsecret-sealing-keys";

  /** Its type and label, which tell it wherever a copy of it is found. */
  public static final String TYPE = "managedsecrets.dev/sealing-keys";

  public static final String LABEL = "managedsecrets.dev/sealing-keys";
  static final String KEYS = "keys.json";
  private static final int WRITE_ATTEMPTS = 5;

  private final KubernetesClient client;
  private final String namespace;

  public SealingKeySecret(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** The stored keys; empty before the first key was made. */
  public SealingKeyring read() {
    return keyring(get());
  }

  /** Applies a change and writes it; returns what was written. */
  public SealingKeyring update(UnaryOperator<SealingKeyring> change) {
    for (int attempt = 1; ; attempt++) {
      Secret secret = get();
      SealingKeyring before = keyring(secret);
      SealingKeyring after = change.apply(before);
      if (after.equals(before)) {
        return before;
      }
      String json = Base64.getEncoder().encodeToString(after.toJson());
      try {
        if (secret == null) {
          client.secrets().inNamespace(namespace).resource(newSecret(json)).create();
        } else {
          client
              .secrets()
              .inNamespace(namespace)
              .resource(new SecretBuilder(secret).withData(Map.of(KEYS, json)).build())
              .update();
        }
        return after;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == WRITE_ATTEMPTS) {
          throw new SecretsManagerException(
              AwsError.INTERNAL_SERVICE_ERROR,
              "Could not write Secret "
                  + namespace
                  + "/"
                  + SECRET_NAME
                  + " (the Kubernetes API answered "
                  + e.getCode()
                  + ")",
              e);
        }
      }
    }
  }

  private Secret get() {
    return client.secrets().inNamespace(namespace).withName(SECRET_NAME).get();
  }

  private static SealingKeyring keyring(Secret secret) {
    if (secret == null || secret.getData() == null || !secret.getData().containsKey(KEYS)) {
      return SealingKeyring.EMPTY;
    }
    return SealingKeyring.fromJson(Base64.getDecoder().decode(secret.getData().get(KEYS)));
  }

  private Secret newSecret(String json) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(SECRET_NAME)
        .withNamespace(namespace)
        .addToLabels("app.kubernetes.io/part-of", "managedsecret-operator")
        .addToLabels(LABEL, "true")
        .endMetadata()
        .withType(TYPE)
        .withData(Map.of(KEYS, json))
        .build();
  }
}
