package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.operator.store.StoreConflictException;
import dev.managedsecrets.operator.store.StoreUnavailableException;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * A failed reconcile as its resource reports it: the AWS exception name (the reason of the Event
 * and of the conditions, from a closed set), a message a person can act on, and whether the
 * operator retries (else it waits for a change). Messages never carry a secret byte: they come from
 * the operator's own exceptions, and an unexpected exception is named by its type only.
 */
record Failure(String reason, String message, boolean retried, Exception unexpected) {

  /** Classifies any failure of a reconcile. */
  static Failure of(Exception e) {
    if (e instanceof SecretsManagerException s) {
      return new Failure(s.error().exceptionName(), s.getMessage(), !s.error().terminal(), null);
    }
    if (e instanceof StoreUnavailableException || e instanceof StoreConflictException) {
      return internal(e.getMessage(), null);
    }
    if (e instanceof KubernetesClientException k) {
      return internal("The Kubernetes API answered " + k.getCode() + "; retrying.", null);
    }
    return internal(
        "The operator failed unexpectedly ("
            + e.getClass().getSimpleName()
            + "); it retries with back-off. Its log has the details.",
        e);
  }

  private static Failure internal(String message, Exception unexpected) {
    return new Failure(AwsError.INTERNAL_SERVICE_ERROR.exceptionName(), message, true, unexpected);
  }
}
