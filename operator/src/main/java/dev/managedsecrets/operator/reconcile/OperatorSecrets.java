package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.operator.kms.KeyringSecret;
import dev.managedsecrets.operator.sealing.SealingKeySecret;
import dev.managedsecrets.operator.store.KubernetesSecretStore;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.Map;

/**
 * Tells the operator's own Secrets and service account tokens by what they are, in whatever
 * namespace they are found: the keyring and the sealing keys (name, type or label), an object of
 * the Kubernetes store (its type or label), the PostgreSQL store's credentials (the configured
 * name), a service account token (its type). None of them is ever a value source: a ManagedSecret
 * naming one would project the operator's keys or credentials to whoever may read its Secret.
 */
final class OperatorSecrets {

  private static final String SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token";

  private final String credentialsSecret;

  OperatorSecrets(String credentialsSecret) {
    this.credentialsSecret = credentialsSecret;
  }

  /** What the Secret is, as a message names it, or null when it is none of those. */
  String what(Secret secret) {
    String name = secret.getMetadata().getName();
    Map<String, String> labels = secret.getMetadata().getLabels();
    boolean labelled = labels != null;
    String type = secret.getType();
    if (KeyringSecret.SECRET_NAME.equals(name)
        || KeyringSecret.TYPE.equals(type)
        || labelled && labels.containsKey(KeyringSecret.LABEL)) {
      return "the operator's keyring";
    }
    if (SealingKeySecret.SECRET_NAME.equals(name)
        || SealingKeySecret.TYPE.equals(type)
        || labelled && labels.containsKey(SealingKeySecret.LABEL)) {
      return "the operator's sealing keys";
    }
    if (KubernetesSecretStore.TYPE.equals(type)
        || labelled && labels.containsKey(KubernetesSecretStore.LABEL_STORE)) {
      return "an object of the operator's store";
    }
    if (name.equals(credentialsSecret)) {
      return "the operator's store credentials (store.credentialsSecret)";
    }
    if (SERVICE_ACCOUNT_TOKEN.equals(type)) {
      return "a service account token";
    }
    return null;
  }
}
