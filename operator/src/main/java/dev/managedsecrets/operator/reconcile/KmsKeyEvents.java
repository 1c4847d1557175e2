package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.operator.cache.Caches;
import dev.managedsecrets.operator.kms.KmsKeyPolicy;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reconciles the ManagedSecrets that use a KmsKey when it changes: enabled again, its policy or
 * aliases changed, deleted or re-created. A ManagedSecret that failed with EncryptionFailure or
 * AccessDeniedException then converges without waiting for a retry or a spec change.
 */
final class KmsKeyEvents {

  static final String NAME = "kms-keys";

  private KmsKeyEvents() {}

  static InformerEventSource<KmsKey, ManagedSecret> source(
      EventSourceContext<ManagedSecret> context) {
    IndexerResourceCache<ManagedSecret> managedSecrets = context.getPrimaryCache();
    var config =
        InformerEventSourceConfiguration.from(KmsKey.class, ManagedSecret.class)
            .withName(NAME)
            .withSecondaryToPrimaryMapper(key -> users(managedSecrets, key))
            // The reconciler never asks for a ManagedSecret's keys: no index to keep.
            .withPrimaryToSecondaryMapper(ms -> Set.of())
            .withItemStore(Caches.compact())
            .build();
    return new InformerEventSource<>(config, context);
  }

  /** The ManagedSecrets whose kmsKeyId names the key, or whose AWSCURRENT is sealed under it. */
  static Set<ResourceID> users(IndexerResourceCache<ManagedSecret> managedSecrets, KmsKey key) {
    String keyId = key.getStatus() == null ? null : key.getStatus().keyId;
    String arn = key.getStatus() == null ? null : key.getStatus().arn;
    List<String> aliases =
        key.getSpec() == null || key.getSpec().aliases == null ? List.of() : key.getSpec().aliases;
    return managedSecrets
        .list(ms -> KmsKeyPolicy.uses(ms, key, keyId, arn, aliases))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }
}
