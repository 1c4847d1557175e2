package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Map;
import java.util.Objects;

/**
 * Which updates of a ManagedSecret start a reconcile: those java-operator-sdk's generation-aware
 * filter lets through (a new generation of the spec, the finalizer missing, the object marked for
 * deletion), and a new value of the annotation {@value RotationStep#ROTATE_NOW}, which changes no
 * generation, and of {@value StoreWrites#STORE_WRITTEN}, stamped by a replica that does not lead
 * when it wrote a value into the store. The operator's own status writes start none.
 */
public final class ManagedSecretUpdates {

  private ManagedSecretUpdates() {}

  /** The filter; the controller runs with generation awareness off, since this one replaces it. */
  public static OnUpdateFilter<ManagedSecret> filter() {
    return (now, before) ->
        newGeneration(now, before)
            || !now.hasFinalizer(ManagedSecretReconciler.FINALIZER)
            || !before.hasFinalizer(ManagedSecretReconciler.FINALIZER)
            || (now.isMarkedForDeletion() && !before.isMarkedForDeletion())
            || !Objects.equals(rotateNow(now), rotateNow(before))
            || !Objects.equals(
                annotation(now, StoreWrites.STORE_WRITTEN),
                annotation(before, StoreWrites.STORE_WRITTEN));
  }

  private static String annotation(ManagedSecret ms, String key) {
    Map<String, String> annotations = ms.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  private static boolean newGeneration(ManagedSecret now, ManagedSecret before) {
    Long was = before.getMetadata().getGeneration();
    Long is = now.getMetadata().getGeneration();
    return was == null || is == null || was < is;
  }

  private static String rotateNow(ManagedSecret ms) {
    Map<String, String> annotations = ms.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(RotationStep.ROTATE_NOW);
  }
}
