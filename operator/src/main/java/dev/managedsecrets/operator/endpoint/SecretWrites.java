package dev.managedsecrets.operator.endpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.ReplicaRegion;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.core.replication.ReplicationRequests;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.core.secret.ValueOwner;
import dev.managedsecrets.core.value.ValueInput;
import dev.managedsecrets.operator.endpoint.Authorizer.Need;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import dev.managedsecrets.operator.reconcile.KeptSpecFields;
import dev.managedsecrets.operator.store.StoreConflictException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The operations that make, change and delete secrets: CreateSecret, UpdateSecret, DeleteSecret,
 * RestoreSecret, TagResource and UntagResource. A secret made here is a ManagedSecret in the
 * caller's namespace whose value lives in the store ({@code spec.valueSource: Store}); no value is
 * ever written into a spec.
 */
final class SecretWrites {

  private final Services s;

  SecretWrites(Services services) {
    this.s = services;
  }

  Map<String, Operation> operations() {
    Map<String, Operation> ops = new LinkedHashMap<>();
    ops.put("CreateSecret", this::create);
    ops.put("UpdateSecret", this::update);
    ops.put("DeleteSecret", this::delete);
    ops.put("RestoreSecret", this::restore);
    ops.put("TagResource", this::tag);
    ops.put("UntagResource", this::untag);
    return ops;
  }

  ObjectNode create(Caller caller, Input in) {
    String name = Members.name(in);
    String token = Members.token(in);
    String description = in.optional("Description", 0, 2048);
    String kmsKeyId = in.optional("KmsKeyId", 0, 2048);
    List<ReplicaRegion> replicas = ReplicationOperations.addReplicaRegions(in);
    Boolean force = in.optionalBool("ForceOverwriteReplicaSecret");
    // The replica regions are checked before the value is read: a refusal holds no value.
    ManagedSecretSpec replicated = new ManagedSecretSpec();
    if (replicas != null) {
      ReplicationRequests.replicate(replicated, replicas, force, s.regions());
    }
    ValueInput.Whole value = Members.value(in);
    List<Tag> tags = Members.tags(in, "Tags");
    String namespace = caller.namespace();
    String objectName = ManagedSecretObjects.objectName(name);
    s.authorizer()
        .require(
            caller.principal(), Need.of("create"), namespace, objectName, "CreateSecret", name);
    if (s.lookup().closedNamespaces().closed(namespace)) {
      throw s.lookup()
          .closedNamespaces()
          .refusal(caller.principal(), "CreateSecret", name, namespace);
    }
    Optional<Lookup.Target> existing = s.lookup().byName(namespace, name);
    if (existing.isPresent()) {
      return again(existing.get(), name, token, value);
    }
    String keyArn = s.keyArn(kmsKeyId, namespace);
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.secretName = name;
    spec.valueSource = ValueOwner.STORE;
    spec.description = description;
    spec.kmsKeyId = kmsKeyId == null || kmsKeyId.isEmpty() ? null : kmsKeyId;
    spec.tags = tags == null || tags.isEmpty() ? null : tags;
    spec.replicaRegions = replicated.replicaRegions;
    spec.forceOverwriteReplicaSecret = replicated.forceOverwriteReplicaSecret;
    ManagedSecret ms = s.objects().create(namespace, objectName, spec, "CreateSecret");
    if (ms == null) {
      throw exists(name);
    }
    SecretId id = new SecretId(namespace, name);
    String uid = ms.getMetadata().getUid();
    SecretsManagerService.Claimed claimed = null;
    SecretsManagerService.Put put = null;
    try {
      // With a value, the new record is written together with its first version: one write.
      claimed =
          s.secrets()
              .claim(
                  id,
                  objectName,
                  uid,
                  () -> s.namespaces().of(ms),
                  true,
                  SecretsManagerService.Anchor.NONE,
                  value != null);
      if (value != null) {
        try {
          put = s.putStoreValue(claimed.secret(), value, keyArn, token, null);
        } catch (StoreConflictException taken) {
          // The name has a record after all (one in its recovery window, a restored store):
          // claimed as any record is, and the value stored beside what it holds.
          claimed = s.secrets().claim(id, objectName, uid, () -> s.namespaces().of(ms), false);
          put = s.putStoreValue(claimed.secret(), value, keyArn, token, null);
        }
      }
    } catch (RuntimeException e) {
      // Nothing of a failed CreateSecret stays: the record it made, then the object.
      if (claimed != null && claimed.claim() == SecretsManagerService.Claim.CREATED) {
        s.secrets().delete(id, uid, null, true);
      }
      s.objects().delete(ms);
      if (claimed == null
          && e instanceof SecretsManagerException sm
          && sm.error() == AwsError.RESOURCE_EXISTS_EXCEPTION) {
        throw exists(name);
      }
      throw e;
    } finally {
      value = clear(value);
    }
    s.written().written(namespace, objectName);
    ObjectNode out = Output.secret(claimed.secret().arn(), name);
    if (put != null) {
      out.put("VersionId", put.version().versionId());
    }
    if (spec.replicaRegions != null) {
      out.set(
          "ReplicationStatus",
          Output.replication(ReplicationRequests.statuses(spec.replicaRegions, null)));
    }
    return out;
  }

  /**
   * CreateSecret of a name that exists: a retry of the same request (same token, same value)
   * answers as the first did; anything else is refused as AWS refuses it.
   */
  private ObjectNode again(Lookup.Target t, String name, String token, ValueInput.Whole value) {
    try {
      if (t.scheduledForDeletion()) {
        throw AwsException.invalidRequest(
            "You can't create this secret because a secret with this name is already scheduled"
                + " for deletion.");
      }
      Optional<StoredVersion> same = token == null ? Optional.empty() : t.record().version(token);
      if (value != null && same.isPresent()) {
        if (same.get().valueHash().equals(s.values().valueHash(t.record().id(), value.value()))) {
          ObjectNode out = Output.secret(t.arn(), name);
          out.put("VersionId", token);
          return out;
        }
        throw new AwsException(
            "ResourceExistsException",
            400,
            "You can't use ClientRequestToken "
                + token
                + " because that value is already in use for a version of secret "
                + t.arn()
                + ".");
      }
      throw exists(name);
    } finally {
      clear(value);
    }
  }

  private static AwsException exists(String name) {
    return new AwsException(
        "ResourceExistsException",
        400,
        "The operation failed because the secret " + name + " already exists.");
  }

  ObjectNode update(Caller caller, Input in) {
    String secretId = Members.secretId(in);
    String token = Members.token(in);
    String description = in.optional("Description", 0, 2048);
    String kmsKeyId = in.optional("KmsKeyId", 0, 2048);
    ValueInput.Whole value = Members.value(in);
    try {
      boolean metadata = description != null || kmsKeyId != null;
      Need need = value != null ? Need.value("update") : Need.of("patch");
      Lookup.Target t = s.lookup().authorized(caller.principal(), "UpdateSecret", secretId, need);
      if (!metadata && value == null) {
        // Nothing to change: AWS answers the secret's ARN and name, and changes nothing.
        Services.requireLive(t);
        return Output.secret(t.arn(), t.name());
      }
      if (value != null && metadata) {
        s.authorizer()
            .require(
                caller.principal(),
                Need.of("patch"),
                t.namespace(),
                t.objectName(),
                "UpdateSecret",
                secretId);
      }
      Services.requireLive(t);
      ManagedSecret ms = value != null ? Services.requireStoreOwned(t) : t.object();
      List<String> fields = new ArrayList<>();
      if (description != null) {
        fields.add("description");
      }
      if (kmsKeyId != null) {
        fields.add("kmsKeyId");
      }
      // Refused before anything changes: a field another writer set.
      ManagedSecretObjects.requireOwnable(ms, t.name(), fields);
      String nextKey = kmsKeyId != null ? kmsKeyId : ms.getSpec().kmsKeyId;
      String keyArn =
          s.keyArn(nextKey == null || nextKey.isEmpty() ? null : nextKey, t.namespace());
      SecretsManagerService.Put put = null;
      if (value != null) {
        put = s.putStoreValue(t.record(), value, keyArn, token, null);
      }
      if (metadata) {
        s.objects()
            .changeSpec(
                ms,
                t.name(),
                fields,
                spec -> {
                  if (description != null) {
                    spec.description = description.isEmpty() ? null : description;
                  }
                  if (kmsKeyId != null) {
                    spec.kmsKeyId = kmsKeyId.isEmpty() ? null : kmsKeyId;
                  }
                });
      }
      s.written().written(t.namespace(), t.objectName());
      ObjectNode out = Output.secret(t.arn(), t.name());
      if (put != null) {
        out.put("VersionId", put.version().versionId());
      }
      return out;
    } finally {
      clear(value);
    }
  }

  ObjectNode delete(Caller caller, Input in) {
    String secretId = Members.secretId(in);
    Long window = in.number("RecoveryWindowInDays");
    boolean force = in.bool("ForceDeleteWithoutRecovery");
    if (force && window != null) {
      throw AwsException.invalidParameter(
          "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    if (window != null && (window < 7 || window > 30)) {
      throw AwsException.invalidParameter(
          "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
    }
    Lookup.Target t;
    try {
      t = s.lookup().authorized(caller.principal(), "DeleteSecret", secretId, Need.of("delete"));
    } catch (AwsException e) {
      if (force && "ResourceNotFoundException".equals(e.type())) {
        // A forced delete of a secret that is not there (or no longer) answers as for one that
        // was, as AWS does, so that a retry of a forced delete succeeds. Only a caller who may
        // delete secrets gets here: the others were refused before anything was looked up.
        ObjectNode gone = Output.object();
        gone.put("Name", secretId);
        Output.time(gone, "DeletionDate", s.clock().instant());
        return gone;
      }
      throw e;
    }
    if (t.scheduledForDeletion() && !force) {
      throw AwsException.invalidRequest(Services.MARKED_FOR_DELETION);
    }
    int days = window == null ? 30 : window.intValue();
    // The object first, then the stored secret, with the window asked for. A reconcile that began
    // before the object's deletion and claims the record after this change reads the object again,
    // finds it deleted and takes its claim back; its finalizer removes the projected Secret, and
    // a schedule it sets before this change is replaced by the one asked for.
    if (t.object() != null) {
      s.objects().delete(t.object());
    }
    s.secrets()
        .deleteAsAsked(
            t.record().id(),
            t.record().ownerUid(),
            days,
            force,
            t.object() == null ? null : KeptSpecFields.of(t.object().getSpec()));
    Instant now = s.clock().instant();
    ObjectNode out = Output.secret(t.arn(), t.name());
    Output.time(
        out,
        "DeletionDate",
        force
            ? now
            : t.scheduledForDeletion() ? t.record().purgeAfter() : now.plus(Duration.ofDays(days)));
    return out;
  }

  ObjectNode restore(Caller caller, Input in) {
    String secretId = Members.secretId(in);
    Lookup.Target t =
        s.lookup().authorized(caller.principal(), "RestoreSecret", secretId, Need.of("create"));
    ObjectNode out = Output.secret(t.arn(), t.name());
    if (!t.scheduledForDeletion()) {
      return out;
    }
    Optional<StoredVersion> current = t.record().current();
    if (current.isPresent() && !ValueOwner.STORE_INPUT_HASH.equals(current.get().inputHash())) {
      throw AwsException.invalidRequest(
          "The value of secret "
              + t.name()
              + " came from the spec of ManagedSecret "
              + t.namespace()
              + "/"
              + t.objectName()
              + ": apply that ManagedSecret again to restore it with its spec.");
    }
    // The description, KMS key and tags come back from the record, which kept them.
    ManagedSecretSpec spec = KeptSpecFields.spec(t.record().kept());
    spec.secretName = t.name();
    spec.valueSource = ValueOwner.STORE;
    ManagedSecret ms = s.objects().create(t.namespace(), t.objectName(), spec, "RestoreSecret");
    if (ms == null) {
      throw AwsException.invalidRequest(
          "ManagedSecret "
              + t.namespace()
              + "/"
              + t.objectName()
              + " exists already: delete it, or give it spec.secretName "
              + t.name()
              + ", to restore the secret.");
    }
    Runnable claim =
        () ->
            s.secrets()
                .claim(
                    t.record().id(),
                    t.objectName(),
                    ms.getMetadata().getUid(),
                    () -> s.namespaces().of(ms),
                    false);
    try {
      claim.run();
    } catch (StoreConflictException raced) {
      // The reconcile that the new object started restored the record first: the claim read
      // again finds it this object's.
      claim.run();
    }
    s.written().written(t.namespace(), t.objectName());
    return out;
  }

  ObjectNode tag(Caller caller, Input in) {
    String secretId = Members.secretId(in);
    List<Tag> added = Members.tags(in, "Tags");
    if (added == null) {
      throw AwsException.validation(
          "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member"
              + " must not be null");
    }
    return changeTags(
        caller,
        "TagResource",
        secretId,
        tags -> added.forEach(tag -> tags.put(tag.key, tag.value)));
  }

  ObjectNode untag(Caller caller, Input in) {
    String secretId = Members.secretId(in);
    List<String> keys = in.strings("TagKeys", 50, 1, 128);
    if (keys == null) {
      throw AwsException.validation(
          "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint:"
              + " Member must not be null");
    }
    return changeTags(caller, "UntagResource", secretId, tags -> keys.forEach(tags::remove));
  }

  private ObjectNode changeTags(
      Caller caller, String operation, String secretId, Consumer<Map<String, String>> change) {
    Lookup.Target t =
        s.lookup().authorized(caller.principal(), operation, secretId, Need.of("patch"));
    Services.requireLive(t);
    s.objects()
        .changeSpec(
            t.object(),
            t.name(),
            List.of("tags"),
            spec -> {
              Map<String, String> tags = new LinkedHashMap<>();
              if (spec.tags != null) {
                spec.tags.forEach(tag -> tags.put(tag.key, tag.value));
              }
              change.accept(tags);
              if (tags.size() > 50) {
                throw AwsException.invalidParameter(
                    "A secret can have at most 50 tags; this would make " + tags.size() + ".");
              }
              List<Tag> next = new ArrayList<>();
              tags.forEach((k, v) -> next.add(new Tag(k, v)));
              // An empty list, not none: AWS shows Tags [] once the last tag is removed.
              spec.tags = next;
            });
    return Output.object();
  }

  private static ValueInput.Whole clear(ValueInput.Whole value) {
    if (value != null) {
      value.value().clear();
    }
    return null;
  }
}
