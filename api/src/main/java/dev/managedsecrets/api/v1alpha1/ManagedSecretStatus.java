package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What the operator observed: never a secret byte. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ManagedSecretStatus {

  @JsonPropertyDescription("The secret's ARN, kept for the life of the stored secret.")
  public String arn;

  @JsonPropertyDescription("The Secrets Manager name.")
  public String name;

  @JsonPropertyDescription("The VersionId that carries AWSCURRENT.")
  public String versionId;

  @JsonPropertyDescription("Every labelled version and its staging labels.")
  public Map<String, List<String>> versionIdsToStages;

  @JsonPropertyDescription("ARN of the KMS key that encrypts new versions.")
  public String kmsKeyId;

  @JsonPropertyDescription("When the stored secret was created (RFC 3339).")
  public String createdDate;

  @JsonPropertyDescription("When the value last changed (RFC 3339).")
  public String lastChangedDate;

  @JsonPropertyDescription("Whether automatic rotation is on.")
  public Boolean rotationEnabled;

  @JsonPropertyDescription(
      "The value of the annotation managedsecrets.dev/rotate-now that last started a rotation: the"
          + " same value does not rotate twice.")
  public String rotateNowHandled;

  @JsonPropertyDescription("When the value was last rotated (RFC 3339).")
  public String lastRotatedDate;

  @JsonPropertyDescription("When the next rotation is due (RFC 3339).")
  public String nextRotationDate;

  @JsonPropertyDescription(
      "The AWSCURRENT VersionId that the workloads of target.rolloutRestart were last restarted"
          + " for (or that was projected first): a version is restarted for once.")
  public String restartedForVersionId;

  @JsonPropertyDescription(
      "The earliest notAfter (RFC 3339) of the certificates that spec.generate made into the"
          + " AWSCURRENT version: an expiring certificate shows here.")
  public String certificateNotAfter;

  @JsonPropertyDescription(
      "When the first of those certificates is renewed (RFC 3339): its notAfter less its"
          + " renewBeforeHours.")
  public String certificateRenewalDate;

  @JsonPropertyDescription("When the stored secret was scheduled for deletion (RFC 3339).")
  public String deletedDate;

  @JsonPropertyDescription(
      "The spec.clientRequestToken that the last successful reconcile applied: a token the spec"
          + " names anew makes a version, even of the same value, once.")
  public String appliedClientRequestToken;

  @JsonPropertyDescription(
      "The sequence number of the stored secret's record when the operator last wrote or read it:"
          + " a record of this ARN older than this is refused as replayed (DecryptionFailure).")
  public Long recordSequence;

  @JsonPropertyDescription(
      "The replication to each region of spec.replicaRegions: InProgress, InSync or Failed, with"
          + " the reason.")
  public List<ReplicationStatus> replicationStatus;

  @JsonPropertyDescription("The metadata.generation that this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription("Ready, with an AWS exception name as reason when it is False.")
  public List<Condition> conditions = new ArrayList<>();

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ManagedSecretStatus other)) {
      return false;
    }
    return Objects.equals(arn, other.arn)
        && Objects.equals(name, other.name)
        && Objects.equals(versionId, other.versionId)
        && Objects.equals(versionIdsToStages, other.versionIdsToStages)
        && Objects.equals(kmsKeyId, other.kmsKeyId)
        && Objects.equals(createdDate, other.createdDate)
        && Objects.equals(lastChangedDate, other.lastChangedDate)
        && Objects.equals(rotationEnabled, other.rotationEnabled)
        && Objects.equals(rotateNowHandled, other.rotateNowHandled)
        && Objects.equals(lastRotatedDate, other.lastRotatedDate)
        && Objects.equals(nextRotationDate, other.nextRotationDate)
        && Objects.equals(restartedForVersionId, other.restartedForVersionId)
        && Objects.equals(certificateNotAfter, other.certificateNotAfter)
        && Objects.equals(certificateRenewalDate, other.certificateRenewalDate)
        && Objects.equals(deletedDate, other.deletedDate)
        && Objects.equals(appliedClientRequestToken, other.appliedClientRequestToken)
        && Objects.equals(recordSequence, other.recordSequence)
        && Objects.equals(replicationStatus, other.replicationStatus)
        && Objects.equals(observedGeneration, other.observedGeneration)
        && Objects.equals(conditions, other.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(arn, name, versionId, observedGeneration);
  }
}
