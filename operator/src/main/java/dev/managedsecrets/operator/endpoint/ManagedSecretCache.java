package dev.managedsecrets.operator.endpoint;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import java.util.Objects;

/**
 * The ManagedSecrets as the operator's watch last saw them (the controller's informer cache, which
 * every replica keeps), for the reads of values: a GetSecretValue needs of the object only that it
 * is there, the one its record names and not being deleted, and a watch tells that without an API
 * request. A miss (an object newer than the watch, another namespace) is read from the API server.
 * Its objects carry no managedFields: what reads or changes a spec reads the object itself.
 */
@FunctionalInterface
public interface ManagedSecretCache {

  /** Holds nothing: every lookup reads the API server. */
  ManagedSecretCache NONE = (namespace, name) -> null;

  /** The object as the watch last saw it, or null. */
  ManagedSecret get(String namespace, String name);

  /**
   * The cached object {@code namespace/name} when it is the object of uid {@code uid} and not being
   * deleted, else null (read it from the API server).
   */
  default ManagedSecret live(String namespace, String name, String uid) {
    ManagedSecret ms = get(namespace, name);
    return ms != null
            && Objects.equals(ms.getMetadata().getUid(), uid)
            && ms.getMetadata().getDeletionTimestamp() == null
        ? ms
        : null;
  }
}
