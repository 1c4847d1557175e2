package dev.managedsecrets.operator.queue;

import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretReplica;
import dev.managedsecrets.core.rotation.RotationRequests;
import dev.managedsecrets.operator.reconcile.ManagedSecretReconciler;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.Objects;

/**
 * Whether an object carries a change the operator has not acted on: it is new or has no status yet,
 * is being deleted, has a spec generation its status has not observed, or (a ManagedSecret) lacks
 * the finalizer or has a rotate-now request not yet handled. Everything else is a check of an
 * object already up to date.
 */
public final class PendingChange {

  private PendingChange() {}

  public static boolean in(HasMetadata resource) {
    if (resource == null || resource.isMarkedForDeletion()) {
      return true;
    }
    Long generation = resource.getMetadata().getGeneration();
    if (resource instanceof ManagedSecret ms) {
      return ms.getStatus() == null
          || !ms.hasFinalizer(ManagedSecretReconciler.FINALIZER)
          || !Objects.equals(generation, ms.getStatus().observedGeneration)
          || rotateNowPending(ms);
    }
    if (resource instanceof KmsKey key) {
      return key.getStatus() == null
          || !Objects.equals(generation, key.getStatus().observedGeneration);
    }
    if (resource instanceof ManagedSecretReplica replica) {
      return replica.getStatus() == null
          || !Objects.equals(generation, replica.getStatus().observedGeneration);
    }
    return true;
  }

  private static boolean rotateNowPending(ManagedSecret ms) {
    Map<String, String> annotations = ms.getMetadata().getAnnotations();
    String asked = annotations == null ? null : annotations.get(RotationRequests.ROTATE_NOW);
    return asked != null && !asked.equals(ms.getStatus().rotateNowHandled);
  }
}
