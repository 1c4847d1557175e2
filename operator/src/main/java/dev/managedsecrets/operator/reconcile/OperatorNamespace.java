package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;

/**
 * The operator's own namespace is no tenant's: its store, keyring, credentials and service account
 * token live there, so ManagedSecrets there are refused unless the configuration allows them
 * ({@code allowOperatorNamespace}).
 */
final class OperatorNamespace {

  private final String namespace;
  private final boolean allowed;

  OperatorNamespace(String namespace, boolean allowed) {
    this.namespace = namespace;
    this.allowed = allowed;
  }

  /** Refuses a ManagedSecret of the operator's namespace, unless allowed. */
  void check(ManagedSecret ms) {
    if (allowed || !namespace.equals(ms.getMetadata().getNamespace())) {
      return;
    }
    throw new SecretsManagerException(
        AwsError.ACCESS_DENIED_EXCEPTION,
        "ManagedSecret "
            + ms.getMetadata().getName()
            + " is in namespace "
            + namespace
            + ", the operator's own, where its store, keyring and credentials live: ManagedSecrets"
            + " there are refused. Create it in another namespace, or set allowOperatorNamespace:"
            + " true in the operator's configuration.");
  }
}
