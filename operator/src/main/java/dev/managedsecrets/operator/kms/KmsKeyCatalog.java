package dev.managedsecrets.operator.kms;

import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.operator.namespaces.NamespaceIncarnations;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The keys of KmsKey resources, as a {@link KeyCatalog}. Two sources make a key: the keyring
 * records what must outlive the resource (key id, provider, material versions, state, scheduled
 * deletion: {@link Keyring.OwnedKey}), and the resource's spec is its policy (aliases, enabled,
 * allowedNamespaces). Key ids and ARNs are looked up in the keyring alone, so versions sealed under
 * a key open by its ARN whatever happens to the resource's status; aliases and KmsKey names are
 * looked up in the ManagedSecret's own namespace only. A key belongs to a namespace incarnation: a
 * KmsKey of a namespace deleted and made again under the same name is never the resource of the old
 * incarnation's key of that name, and does not give it its state, aliases or policy.
 */
public final class KmsKeyCatalog implements KeyCatalog, AutoCloseable {

  /** The KmsKey resources of a namespace, as the operator's cache holds them. */
  @FunctionalInterface
  public interface Resources {
    List<KmsKey> inNamespace(String namespace);
  }

  private final Keyring keyring;
  private final Resources resources;
  private final NamespaceIncarnations namespaces;
  private final Clock clock;
  private final List<SharedIndexInformer<KmsKey>> informers;

  public KmsKeyCatalog(
      Keyring keyring, Resources resources, NamespaceIncarnations namespaces, Clock clock) {
    this(keyring, resources, namespaces, clock, List.of());
  }

  private KmsKeyCatalog(
      Keyring keyring,
      Resources resources,
      NamespaceIncarnations namespaces,
      Clock clock,
      List<SharedIndexInformer<KmsKey>> informers) {
    this.keyring = keyring;
    this.resources = resources;
    this.namespaces = namespaces;
    this.clock = clock;
    this.informers = informers;
  }

  /**
   * A catalog over a cache of the KmsKey resources of the watched namespaces (all when empty),
   * which has read them all when this returns: a ManagedSecret reconciled right after the operator
   * starts finds its key.
   */
  public static KmsKeyCatalog start(
      KubernetesClient client,
      Keyring keyring,
      Collection<String> namespaces,
      NamespaceIncarnations incarnations,
      Clock clock) {
    List<SharedIndexInformer<KmsKey>> informers = new ArrayList<>();
    try {
      if (namespaces.isEmpty()) {
        informers.add(client.resources(KmsKey.class).inAnyNamespace().inform());
      } else {
        for (String namespace : namespaces) {
          informers.add(client.resources(KmsKey.class).inNamespace(namespace).inform());
        }
      }
    } catch (RuntimeException e) {
      informers.forEach(SharedIndexInformer::close);
      throw e;
    }
    Resources cached =
        namespace ->
            informers.stream()
                .flatMap(i -> i.getStore().list().stream())
                .filter(k -> namespace.equals(k.getMetadata().getNamespace()))
                .toList();
    return new KmsKeyCatalog(keyring, cached, incarnations, clock, List.copyOf(informers));
  }

  /** A key id or key ARN. */
  @Override
  public Optional<KeyMetadata> find(String reference) {
    return switch (KmsKeyPolicy.kind(reference)) {
      case KEY_ID -> keyring.ownedKeyById(reference).map(this::metadata);
      case ARN -> keyId(reference).flatMap(keyring::ownedKeyById).map(this::metadata);
      case ALIAS, NAME -> Optional.empty();
    };
  }

  /** An alias or KmsKey name of the namespace, or a key id or key ARN. */
  @Override
  public Optional<KeyMetadata> find(String reference, String namespace) {
    return switch (KmsKeyPolicy.kind(reference)) {
      case ALIAS ->
          KmsKeyPolicy.aliasHolder(resources.inNamespace(namespace), reference)
              .flatMap(
                  holder -> keyring.ownedKey(KmsKeyPolicy.owner(holder), namespaces.of(holder)))
              .map(this::metadata);
      case NAME -> ofName(namespace, reference).map(this::metadata);
      case KEY_ID, ARN -> find(reference);
    };
  }

  /**
   * The key a KmsKey name names in a namespace: its resource's, or without one (deleted, its key
   * pending deletion) the key of the namespace's incarnation now.
   */
  private Optional<Keyring.OwnedKey> ofName(String namespace, String name) {
    String owner = KmsKeyPolicy.owner(namespace, name);
    KmsKey live = resource(owner);
    String incarnation = live != null ? namespaces.of(live) : namespaces.current(namespace);
    return incarnation == null ? Optional.empty() : keyring.ownedKey(owner, incarnation);
  }

  /**
   * The live KmsKey of a key: null when there is none (deleted, pending deletion), or when the
   * KmsKey of that namespace/name is another namespace incarnation's.
   */
  public KmsKey resource(Keyring.OwnedKey key) {
    KmsKey live = resource(key.owner());
    return live == null
            || key.namespaceUid() == null
            || key.namespaceUid().equals(namespaces.of(live))
        ? live
        : null;
  }

  /** The live KmsKey of an owner (namespace/name), of whatever incarnation. */
  private KmsKey resource(String owner) {
    String namespace = KmsKeyPolicy.ownerNamespace(owner);
    String name = owner.substring(namespace.length() + 1);
    return resources.inNamespace(namespace).stream()
        .filter(k -> name.equals(k.getMetadata().getName()))
        .findFirst()
        .orElse(null);
  }

  private KeyMetadata metadata(Keyring.OwnedKey key) {
    KmsKey resource = resource(key);
    String namespace = KmsKeyPolicy.ownerNamespace(key.owner());
    return new KeyMetadata(
        key.keyId(),
        keyring.arn(key.keyId()),
        resource == null
            ? List.of()
            : KmsKeyPolicy.heldAliases(resource, resources.inNamespace(namespace)),
        KmsKeyPolicy.state(key, resource, clock.instant()),
        key.provider(),
        key.materialVersions(),
        // Without its resource, a key keeps to its own namespace.
        resource == null ? Set.of(namespace) : KmsKeyPolicy.allowedNamespaces(resource));
  }

  private Optional<String> keyId(String arn) {
    int slash = arn.lastIndexOf(":key/");
    if (slash < 0) {
      return Optional.empty();
    }
    String keyId = arn.substring(slash + ":key/".length());
    return keyring.arn(keyId).equals(arn) ? Optional.of(keyId) : Optional.empty();
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
  }
}
