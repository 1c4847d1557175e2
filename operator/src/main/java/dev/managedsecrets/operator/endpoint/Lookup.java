package dev.managedsecrets.operator.endpoint;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import dev.managedsecrets.operator.namespaces.NamespaceIncarnations;
import dev.managedsecrets.operator.replication.Replicas;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the secret a call names, and asks whether the caller may do what the call does to it. A
 * name resolves in the caller's namespace; a secret of another namespace is reached only by its
 * full ARN. The caller is authorised before anything is said of the secret: a refusal is the same
 * whether it exists or not.
 */
final class Lookup {

  /**
   * A secret a call names: its ManagedSecret (null once DeleteSecret scheduled it for deletion) and
   * its record in the store.
   */
  record Target(String namespace, String objectName, ManagedSecret object, StoredSecret record) {

    String arn() {
      return record.arn();
    }

    String name() {
      return record.id().name();
    }

    boolean scheduledForDeletion() {
      return record.scheduledForDeletion();
    }
  }

  private final SecretsManagerService secrets;
  private final ManagedSecretObjects objects;
  private final NamespaceIncarnations namespaces;
  private final Authorizer authorizer;
  private final String arnPrefix;
  private final ClosedNamespaces closed;
  private final ManagedSecretCache cache;

  /**
   * @param arnPrefix {@code arn:<partition>:secretsmanager:<region>:<account>:secret:}
   * @param closed the namespaces where no secret is found (the operator's, the unwatched)
   */
  Lookup(
      SecretsManagerService secrets,
      ManagedSecretObjects objects,
      NamespaceIncarnations namespaces,
      Authorizer authorizer,
      String arnPrefix,
      ClosedNamespaces closed) {
    this(secrets, objects, namespaces, authorizer, arnPrefix, closed, null);
  }

  private Lookup(
      SecretsManagerService secrets,
      ManagedSecretObjects objects,
      NamespaceIncarnations namespaces,
      Authorizer authorizer,
      String arnPrefix,
      ClosedNamespaces closed,
      ManagedSecretCache cache) {
    this.secrets = secrets;
    this.objects = objects;
    this.namespaces = namespaces;
    this.authorizer = authorizer;
    this.arnPrefix = arnPrefix;
    this.closed = closed;
    this.cache = cache;
  }

  /**
   * The same lookup for the reads of values, served from what the operator's watches hold: the
   * ManagedSecret from {@code cache} when it holds the very object the record names, and the record
   * as the store's read cache has it (the store's own writes, and anything it cannot vouch for, are
   * read again). Operations that read or change a spec, or write the store, use this lookup's own
   * reads.
   */
  Lookup forValueReads(ManagedSecretCache cache) {
    return new Lookup(secrets, objects, namespaces, authorizer, arnPrefix, closed, cache);
  }

  /**
   * The secret {@code secretId} names, once the caller may {@code need} it; AccessDeniedException
   * when the caller may not (whether it exists or not), else ResourceNotFoundException when there
   * is none.
   */
  /** The verbs that change nothing. */
  private static final java.util.Set<String> READS = java.util.Set.of("get", "list", "watch");

  Target authorized(Principal caller, String operation, String secretId, Authorizer.Need need) {
    return authorized(caller, operation, secretId, need, false);
  }

  /**
   * As {@link #authorized(Principal, String, String, Authorizer.Need)}, for the one change a
   * replica takes in its own region (StopReplicationToReplica): a replica is not refused.
   */
  Target authorizedOnReplica(
      Principal caller, String operation, String secretId, Authorizer.Need need) {
    return authorized(caller, operation, secretId, need, true);
  }

  private Target authorized(
      Principal caller,
      String operation,
      String secretId,
      Authorizer.Need need,
      boolean onReplica) {
    Optional<Target> found = find(caller, secretId);
    if (found.isPresent()) {
      Target t = found.get();
      authorizer.require(caller, need, t.namespace(), t.objectName(), operation, secretId);
      if (!onReplica && !READS.contains(need.verb()) && Replicas.isReplica(t.object())) {
        // A replica changes only through its primary, as in AWS.
        throw AwsException.invalidRequest(
            "Operation not permitted on a replica secret. Call must be made in primary secret's"
                + " region ("
                + Replicas.primaryRegion(t.object())
                + ").");
      }
      return t;
    }
    // Nothing of that name: the answer must not depend on it. A name (and a partial ARN, which
    // names secrets of the caller's namespace only) is asked about in the caller's namespace; a
    // full ARN that names nothing could be of any namespace.
    String namespace = isArn(secretId) && !isPartialArn(secretId) ? null : caller.namespace();
    authorizer.require(caller, need, namespace, null, operation, secretId);
    throw AwsException.notFound();
  }

  /**
   * The secret a name (in the caller's namespace) or a full ARN names, without asking RBAC; never
   * one of a closed namespace (the operator's, an unwatched one), not even looked up by name.
   */
  Optional<Target> find(Principal caller, String secretId) {
    boolean ownClosed = closed.closed(caller.namespace());
    if (!isArn(secretId)) {
      return ownClosed ? Optional.empty() : byName(caller.namespace(), secretId);
    }
    if (!secretId.startsWith(arnPrefix)) {
      return Optional.empty();
    }
    String rest = secretId.substring(arnPrefix.length());
    int dash = rest.lastIndexOf('-');
    if (isPartialArn(secretId) || rest.isEmpty()) {
      // A partial ARN (without the random suffix), as AWS takes one: a secret of the caller's
      // namespace whose ARN is this one and a suffix. An ARN whose name ends like a suffix is a
      // full one, as in AWS.
      return ownClosed || rest.isEmpty()
          ? Optional.empty()
          : byName(caller.namespace(), rest)
              .filter(
                  t ->
                      t.arn().startsWith(secretId + "-")
                          && t.arn().length() == secretId.length() + 7);
    }
    String name = rest.substring(0, dash);
    Optional<Target> mine =
        ownClosed
            ? Optional.empty()
            : byName(caller.namespace(), name).filter(t -> secretId.equals(t.arn()));
    if (mine.isPresent()) {
      return mine;
    }
    for (ManagedSecret ms : objects.withArn(secretId)) {
      if (closed.closed(ms.getMetadata().getNamespace())) {
        continue;
      }
      Optional<Target> other =
          byName(ms.getMetadata().getNamespace(), name).filter(t -> secretId.equals(t.arn()));
      if (other.isPresent()) {
        return other;
      }
    }
    return Optional.empty();
  }

  /**
   * The secret of this name in the namespace: the record whose ManagedSecret exists, else the
   * record of the namespace's present incarnation that is scheduled for deletion.
   */
  Optional<Target> byName(String namespace, String name) {
    SecretId id = new SecretId(namespace, name);
    List<StoredSecret> records =
        cache == null ? secrets.findByName(id) : secrets.findByNameToRead(id);
    for (StoredSecret r : records) {
      if (r.scheduledForDeletion() || r.ownerName() == null) {
        continue;
      }
      ManagedSecret ms = cache == null ? null : cache.live(namespace, r.ownerName(), r.ownerUid());
      if (ms == null) {
        ms = objects.get(namespace, r.ownerName());
      }
      if (ms != null
          && Objects.equals(ms.getMetadata().getUid(), r.ownerUid())
          && ms.getMetadata().getDeletionTimestamp() == null) {
        return Optional.of(new Target(namespace, r.ownerName(), ms, r));
      }
    }
    List<StoredSecret> scheduled =
        records.stream().filter(StoredSecret::scheduledForDeletion).toList();
    if (scheduled.isEmpty()) {
      return Optional.empty();
    }
    String incarnation = namespaces.current(namespace);
    return scheduled.stream()
        .filter(r -> r.namespaceUid() == null || r.heldBy(String.valueOf(incarnation)))
        .findFirst()
        .map(r -> new Target(namespace, r.ownerName(), null, r));
  }

  /** The namespaces where no secret is made, read or changed. */
  ClosedNamespaces closedNamespaces() {
    return closed;
  }

  static boolean isArn(String secretId) {
    return secretId.startsWith("arn:");
  }

  /**
   * An ARN of this endpoint without its random suffix (a name not ending in - and 6 characters).
   */
  boolean isPartialArn(String secretId) {
    if (!secretId.startsWith(arnPrefix)) {
      return false;
    }
    String rest = secretId.substring(arnPrefix.length());
    int dash = rest.lastIndexOf('-');
    return !rest.isEmpty() && (dash < 1 || rest.length() - dash - 1 != 6);
  }
}
