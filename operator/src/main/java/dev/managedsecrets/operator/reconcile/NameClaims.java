package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.names.Names;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Secrets Manager names are unique per namespace: of two ManagedSecrets that claim one, the older
 * keeps it (by creation time, then by name). Other claimants are found through an index of the
 * ManagedSecret cache, not by a walk over every ManagedSecret of the namespace. Only names given in
 * spec.secretName are indexed (an entry costs a set per name): a default name,
 * namespace/metadata.name, is found by its ManagedSecret's name instead.
 */
final class NameClaims {

  private static final String INDEX = "by-secret-name";

  private NameClaims() {}

  /** Adds the index to the cache; once, before the cache is used. */
  static void index(IndexerResourceCache<ManagedSecret> cache) {
    cache.addIndexer(
        INDEX,
        ms ->
            ms.getSpec() == null || ms.getSpec().secretName == null
                ? List.of()
                : List.of(key(ms.getMetadata().getNamespace(), ms.getSpec().secretName)));
  }

  /**
   * Refuses with ResourceExistsException when an older ManagedSecret of the namespace claims the
   * same name.
   */
  static void requireOldest(
      ManagedSecret ms, Names names, IndexedResourceCache<ManagedSecret> cache) {
    String namespace = names.namespace();
    String name = names.secretName();
    List<ManagedSecret> claimants = new ArrayList<>(cache.byIndex(INDEX, key(namespace, name)));
    if (name.startsWith(namespace + "/")) {
      // The ManagedSecret whose default name this is, if it exists.
      cache
          .get(new ResourceID(name.substring(namespace.length() + 1), namespace))
          .filter(other -> other.getSpec() == null || other.getSpec().secretName == null)
          .ifPresent(claimants::add);
    }
    for (ManagedSecret other : claimants) {
      if (other.getMetadata().getUid().equals(ms.getMetadata().getUid())
          || other.getMetadata().getDeletionTimestamp() != null
          || !name.equals(Names.secretName(other))) {
        continue;
      }
      if (older(other, ms)) {
        throw new SecretsManagerException(
            AwsError.RESOURCE_EXISTS_EXCEPTION,
            "The operation failed because the secret "
                + name
                + " already exists. It belongs to ManagedSecret "
                + other.getMetadata().getName()
                + " in this namespace.");
      }
    }
  }

  private static String key(String namespace, String name) {
    return namespace + "\n" + name;
  }

  private static boolean older(ManagedSecret a, ManagedSecret b) {
    int byTime =
        Instant.parse(a.getMetadata().getCreationTimestamp())
            .compareTo(Instant.parse(b.getMetadata().getCreationTimestamp()));
    return byTime != 0
        ? byTime < 0
        : a.getMetadata().getName().compareTo(b.getMetadata().getName()) < 0;
  }
}
