package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/** What the user wants: the secret's name, value, key, metadata and projection. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.secretString) && has(self.secretBinary))",
    message =
        "You can't specify both a binary secret value and a string secret value in the same"
            + " secret.")
@ValidationRule(
    value =
        "(has(self.secretString) ? 1 : 0) + (has(self.secretBinary) ? 1 : 0)"
            + " + (has(self.fromSecret) ? 1 : 0) + (has(self.sealedSecretString) ? 1 : 0)"
            + " + (has(self.sealedSecretBinary) ? 1 : 0) <= 1",
    message =
        "Only one of secretString, secretBinary, fromSecret, sealedSecretString and"
            + " sealedSecretBinary may be set.")
@ValidationRule(
    value =
        "!(has(self.secretString) || has(self.secretBinary) || has(self.fromSecret)"
            + " || has(self.sealedSecretString) || has(self.sealedSecretBinary))"
            + " || !(has(self.data) || has(self.sealedData) || has(self.generate)"
            + " || has(self.database))",
    message =
        "A whole value (secretString, secretBinary, fromSecret, sealedSecretString or"
            + " sealedSecretBinary) can't be combined with key/value fields (data, sealedData,"
            + " generate, database).")
@ValidationRule(
    value =
        "!(has(self.forceDeleteWithoutRecovery) && self.forceDeleteWithoutRecovery"
            + " && has(self.recoveryWindowInDays))",
    message = "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
@ValidationRule(
    value =
        "has(self.secretName) == has(oldSelf.secretName)"
            + " && (!has(self.secretName) || self.secretName == oldSelf.secretName)",
    message = "secretName is immutable: set it when the ManagedSecret is created, or never.")
@ValidationRule(
    value =
        "!has(self.valueSource) || self.valueSource != 'Store' || !(has(self.secretString)"
            + " || has(self.secretBinary) || has(self.fromSecret) || has(self.data)"
            + " || has(self.generate) || has(self.database) || has(self.sealedData)"
            + " || has(self.sealedSecretString) || has(self.sealedSecretBinary)"
            + " || has(self.versionStages) || has(self.clientRequestToken))",
    message =
        "valueSource Store keeps the value in the store: it can't be combined with a value field"
            + " (secretString, secretBinary, fromSecret, data, generate, database, sealedData,"
            + " sealedSecretString, sealedSecretBinary), versionStages or clientRequestToken.")
public class ManagedSecretSpec {

  /** A sealed value's text: its prefix, then unpadded base64url. */
  static final String SEALED = "^msv1\\.[A-Za-z0-9_-]+$";

  @JsonPropertyDescription(
      "The Secrets Manager name: 1-512 of letters, digits and /_+=.@-. Default:"
          + " <namespace>/<metadata.name>. Immutable.")
  @Size(min = 1, max = 512)
  @Pattern("^[A-Za-z0-9/_+=.@-]+$")
  public String secretName;

  @JsonPropertyDescription("A description of the secret (not encrypted), at most 2048 characters.")
  @Size(max = 2048)
  public String description;

  @JsonPropertyDescription(
      "The KMS key that encrypts the secret's data keys: an alias (alias/...) or KmsKey name of"
          + " this namespace, or a key id or key ARN of a key whose policy allows this namespace."
          + " Changing it re-encrypts the AWSCURRENT, AWSPENDING and AWSPREVIOUS versions."
          + " Omitted: the default managed key alias/managedsecrets.")
  @Size(min = 1, max = 2048)
  public String kmsKeyId;

  @JsonPropertyDescription(
      "Where the value lives. Spec (the default): in this spec's value fields (none: a secret"
          + " with no value). Store: in the operator's store only, written through the Secrets"
          + " Manager endpoint (CreateSecret, PutSecretValue, UpdateSecretVersionStage); the"
          + " operator projects the store's AWSCURRENT and never writes a version from the spec."
          + " With Store no value field (sealed ones included), versionStages or"
          + " clientRequestToken may be set.")
  @Pattern("^(Spec|Store)$")
  @Size(max = 5)
  public String valueSource;

  @JsonPropertyDescription(
      "The whole value as text, in any format (JSON objects project one Secret key per"
          + " property). At most 65536 characters.")
  @Size(min = 1, max = 65536)
  public String secretString;

  @JsonPropertyDescription("The whole value as base64-encoded bytes, at most 65536 bytes decoded.")
  @Size(min = 1, max = 87384)
  @Pattern("^[A-Za-z0-9+/]*={0,2}$")
  public String secretBinary;

  @JsonPropertyDescription(
      "Take the value from a Secret in the same namespace, followed when it changes.")
  public SecretSource fromSecret;

  @JsonPropertyDescription(
      "Key/value pairs in plain text; they make one JSON object value. At most 256 keys of 1-253"
          + " characters; the whole value at most 65536 bytes.")
  @Size(max = 256)
  @ValidationRule(
      value = "self.all(k, size(k) >= 1 && size(k) <= 253)",
      message = "data keys must be 1-253 characters.")
  public Map<String, @Size(max = 65536) String> data;

  @JsonPropertyDescription(
      "Key/value pairs sealed on the client (kubectl managedsecret seal) for the operator's"
          + " sealing public key: safe to commit to Git. They join data, generate and database in"
          + " one JSON object; the operator opens them in memory only. At most 256 keys of 1-253"
          + " characters; each value msv1. and base64url, at most 87600 characters.")
  @Size(max = 256)
  @ValidationRule(
      value = "self.all(k, size(k) >= 1 && size(k) <= 253)",
      message = "sealedData keys must be 1-253 characters.")
  public Map<String, @Size(min = 1, max = 87600) @Pattern(SEALED) String> sealedData;

  @JsonPropertyDescription(
      "The whole value as text, sealed on the client for the operator's sealing public key (safe"
          + " to commit to Git): msv1. and base64url, at most 87600 characters.")
  @Size(min = 1, max = 87600)
  @Pattern(SEALED)
  public String sealedSecretString;

  @JsonPropertyDescription(
      "The whole value as bytes, sealed on the client for the operator's sealing public key (safe"
          + " to commit to Git): msv1. and base64url, at most 87600 characters.")
  @Size(min = 1, max = 87600)
  @Pattern(SEALED)
  public String sealedSecretBinary;

  @JsonPropertyDescription(
      "What sealed values are bound to: strict (default; namespace, ManagedSecret name and value"
          + " key) or namespace-wide (namespace and value key). Taken from here and the object's"
          + " metadata, never from the sealed values.")
  @Pattern("^(strict|namespace-wide)$")
  public String sealedScope;

  @JsonPropertyDescription(
      "Keys whose values the operator generates once (GetRandomPassword parameters) and keeps. At"
          + " most 64 keys of 1-253 characters.")
  @Size(max = 64)
  @ValidationRule(
      value = "self.all(k, size(k) >= 1 && size(k) <= 253)",
      message = "generate keys must be 1-253 characters.")
  public Map<String, GenerateSpec> generate;

  @JsonPropertyDescription(
      "Database connection information (not secret): joins the JSON value as engine, host, port,"
          + " dbname.")
  public DatabaseSpec database;

  @JsonPropertyDescription(
      "An idempotency token (32-64 characters) that becomes the VersionId of the next new"
          + " version.")
  @Size(min = 32, max = 64)
  public String clientRequestToken;

  @JsonPropertyDescription(
      "Staging labels placed on existing versions, label -> VersionId. AWSCURRENT rolls back (or"
          + " forward) to that version and pins it: value changes wait until the pin is removed."
          + " Custom labels (1-256 characters) are exactly those listed here. AWSPREVIOUS and"
          + " AWSPENDING are moved by the operator.")
  @Size(max = 20)
  @ValidationRule(
      value = "self.all(k, size(k) >= 1 && size(k) <= 256)",
      message = "Staging labels must be 1-256 characters.")
  @ValidationRule(
      value = "!('AWSPREVIOUS' in self) && !('AWSPENDING' in self)",
      message = "AWSPREVIOUS and AWSPENDING are moved by the operator, not by versionStages.")
  public Map<String, @Size(min = 1, max = 64) String> versionStages;

  @JsonPropertyDescription(
      "Tags (not encrypted): at most 50; keys 1-128 characters, values 0-256; no aws: prefix.")
  @Size(max = 50)
  @ValidationRule(
      value = "self.all(t, self.exists_one(u, u.key == t.key))",
      message = "Tag keys must be unique.")
  public List<Tag> tags;

  @JsonPropertyDescription(
      "Regions the secret is replicated to (ReplicateSecretToRegions): each a peer region"
          + " configured on the operator (replication.peers), with a KMS key of that region. The"
          + " replica has the same name, labelled versions, description and tags, and its Secret is"
          + " projected in the same namespace of that region's cluster. At most 10, each region"
          + " once.")
  @Size(max = 10)
  @ValidationRule(
      value = "self.all(r, self.exists_one(s, s.region == r.region))",
      message = "Each replica region may be listed only once.")
  public List<ReplicaRegion> replicaRegions;

  @JsonPropertyDescription(
      "Overwrite a secret of the same name that already exists in a replica region (default"
          + " false: that region's replication fails). A replica promoted to a standalone secret"
          + " (stop-replication-to-replica) is never overwritten.")
  public Boolean forceOverwriteReplicaSecret;

  @JsonPropertyDescription(
      "Days the stored secret is kept after the ManagedSecret is deleted, 7-30 (default 30).")
  @Min(7)
  @Max(30)
  public Integer recoveryWindowInDays;

  @JsonPropertyDescription("Purge the stored secret and all its versions at once on delete.")
  public Boolean forceDeleteWithoutRecovery;

  @JsonPropertyDescription(
      "Automatic rotation: a schedule, its window and the strategy that makes the new value. The"
          + " annotation managedsecrets.dev/rotate-now (any new value) rotates once.")
  public RotationSpec rotation;

  @JsonPropertyDescription("The projected native Secret.")
  public TargetSpec target;
}
