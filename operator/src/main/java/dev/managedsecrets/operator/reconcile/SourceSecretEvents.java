package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.operator.cache.Caches;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Changes of fromSecret sources, told by a watch rather than found by the next poll: a source
 * Secret that carries the label {@value #LABEL}{@code =true} is watched, and a change of it
 * reconciles, within about a second, every ManagedSecret of its namespace whose fromSecret names it
 * (found through an index of the ManagedSecret cache, not a walk). The API can't watch a set of
 * names, and watching every Secret would make unrelated Secrets cost memory: the watch is
 * label-selected on the server, so only labelled Secrets reach the operator, and its cache keeps
 * their names and resource versions only, never a byte of their data. The poll stays as the safety
 * net, and for sources without the label.
 */
final class SourceSecretEvents {

  /** The label a source Secret carries to be watched; its value is {@code true}. */
  static final String LABEL = "managedsecrets.dev/source";

  static final String NAME = "source-secrets";

  private static final String INDEX = "by-from-secret";

  private SourceSecretEvents() {}

  /** Adds the index of fromSecret names to the ManagedSecret cache; once, before it is used. */
  static void index(IndexerResourceCache<ManagedSecret> cache) {
    cache.addIndexer(
        INDEX,
        ms ->
            ms.getSpec() == null || ms.getSpec().fromSecret == null
                ? List.of()
                : List.of(key(ms.getMetadata().getNamespace(), ms.getSpec().fromSecret.name)));
  }

  /** The watch of labelled source Secrets, mapped to the ManagedSecrets that read them. */
  static InformerEventSource<Secret, ManagedSecret> source(
      EventSourceContext<ManagedSecret> context) {
    var config =
        InformerEventSourceConfiguration.from(Secret.class, ManagedSecret.class)
            .withName(NAME)
            .withLabelSelector(LABEL + "=true")
            .withSecondaryToPrimaryMapper(secret -> readers(context, secret))
            .withItemStore(Caches.compactAfter(SourceSecretEvents::namesOnly))
            .withOnUpdateFilter(
                (before, after) ->
                    !Objects.equals(
                        before.getMetadata().getResourceVersion(),
                        after.getMetadata().getResourceVersion()))
            .build();
    return new InformerEventSource<>(config, context);
  }

  /** The ManagedSecrets whose fromSecret names this Secret. */
  static Set<ResourceID> readers(EventSourceContext<ManagedSecret> context, Secret secret) {
    return context
        .getPrimaryCache()
        .byIndex(INDEX, key(secret.getMetadata().getNamespace(), secret.getMetadata().getName()))
        .stream()
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  /** What the cache keeps of a source Secret: who it is and which change it was at. */
  static Secret namesOnly(Secret secret) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(secret.getMetadata().getName())
        .withNamespace(secret.getMetadata().getNamespace())
        .withUid(secret.getMetadata().getUid())
        .withResourceVersion(secret.getMetadata().getResourceVersion())
        .endMetadata()
        .build();
  }

  private static String key(String namespace, String name) {
    return namespace + "\n" + name;
  }
}
