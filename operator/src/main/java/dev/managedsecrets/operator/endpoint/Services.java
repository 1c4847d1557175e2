package dev.managedsecrets.operator.endpoint;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.ValueOwner;
import dev.managedsecrets.core.validation.Regions;
import dev.managedsecrets.core.value.ValueAssembler;
import dev.managedsecrets.core.value.ValueInput;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import dev.managedsecrets.operator.namespaces.NamespaceIncarnations;
import java.time.Clock;
import java.util.List;

/**
 * What the operations work with: the store and KMS, the objects, lookups and RBAC, and the
 * operator's own region and peer regions.
 */
record Services(
    SecretsManagerService secrets,
    Kms kms,
    ValueAssembler values,
    Lookup lookup,
    Lookup valueLookup,
    Authorizer authorizer,
    ManagedSecretObjects objects,
    NamespaceIncarnations namespaces,
    ValueWritten written,
    LastAccessed lastAccessed,
    Regions regions,
    Clock clock) {

  static final String MARKED_FOR_DELETION =
      "You can't perform this operation on the secret because it was marked for deletion.";

  /** The KMS key ARN that a kmsKeyId names for the namespace (KMS errors as AWS's). */
  String keyArn(String kmsKeyId, String namespace) {
    try {
      return kms.resolve(kmsKeyId, namespace);
    } catch (SecretsManagerException e) {
      throw AwsException.of(e);
    }
  }

  /**
   * Puts a value into the store as a new version of {@code record} with the labels {@code stages}
   * (null: AWSCURRENT). No spec drives the write (the store owns the value), so it carries no spec
   * generation: the record keeps the one its last spec-driven write gave it, as a claim or a
   * scheduled deletion does, and nothing is compared with it.
   */
  SecretsManagerService.Put putStoreValue(
      StoredSecret record, ValueInput value, String keyArn, String token, List<String> stages) {
    return secrets.putValue(
        record, value, ValueOwner.STORE_INPUT_HASH, keyArn, token, stages, null);
  }

  /** Refuses a change of a secret scheduled for deletion, as AWS does. */
  static void requireLive(Lookup.Target t) {
    if (t.scheduledForDeletion() || t.object() == null) {
      throw AwsException.invalidRequest(MARKED_FOR_DELETION);
    }
  }

  /**
   * Refuses to write the value of a secret whose value its spec owns: InvalidRequestException
   * naming the field, so that the endpoint and the spec never undo each other's values.
   */
  static ManagedSecret requireStoreOwned(Lookup.Target t) {
    requireLive(t);
    ManagedSecret ms = t.object();
    if (ValueOwner.store(ms.getSpec())) {
      return ms;
    }
    String object = t.namespace() + "/" + t.objectName();
    String owner =
        ValueOwner.specField(ms.getSpec())
            .map(
                field ->
                    "The value of secret "
                        + t.name()
                        + " is set by "
                        + field
                        + " of ManagedSecret "
                        + object
                        + ": change it there.")
            .orElse(
                "ManagedSecret "
                    + object
                    + " of secret "
                    + t.name()
                    + " states its value in its spec (it sets none).");
    throw AwsException.invalidRequest(
        owner
            + " Only a ManagedSecret with spec.valueSource Store takes values from this"
            + " endpoint.");
  }
}
