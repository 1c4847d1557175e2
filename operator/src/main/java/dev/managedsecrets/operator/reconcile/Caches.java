package dev.managedsecrets.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;

/**
 * What the operator's informer caches keep. The API server adds metadata.managedFields (one entry
 * per writer, listing every field it set) to every object; nothing in the operator reads them, and
 * they can be the larger part of a small object. Caches drop them as objects arrive. A write from a
 * cached object then carries no managedFields, which the API server reads as "unchanged".
 */
public final class Caches {

  private Caches() {}

  /** An item store that keeps objects without their managedFields. */
  public static <R extends HasMetadata> ItemStore<R> withoutManagedFields() {
    return new TransformingItemStore<>(Caches::stripManagedFields);
  }

  static <R extends HasMetadata> R stripManagedFields(R object) {
    object.getMetadata().setManagedFields(null);
    return object;
  }
}
