package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator observed of the key. Never key material. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KmsKeyStatus {

  @JsonPropertyDescription("The key id (a UUID).")
  public String keyId;

  @JsonPropertyDescription("The key ARN.")
  public String arn;

  @JsonPropertyDescription("Enabled, Disabled or PendingDeletion.")
  public String keyState;

  @JsonPropertyDescription("How many versions of key material exist (old ones decrypt only).")
  public Integer keyMaterialVersions;

  @JsonPropertyDescription("When the material was last rotated (RFC 3339).")
  public String lastRotatedDate;

  @JsonPropertyDescription("When the material is next rotated automatically (RFC 3339).")
  public String nextRotationDate;

  @JsonPropertyDescription("When a key pending deletion is destroyed (RFC 3339).")
  public String deletionDate;

  @JsonPropertyDescription("ManagedSecrets that use the key (namespace/name), at most 50 listed.")
  public List<String> usedBy;

  @JsonPropertyDescription("The metadata.generation that this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription("Ready, with a reason when it is False.")
  public List<Condition> conditions = new ArrayList<>();

  @Override
  public boolean equals(Object o) {
    return o instanceof KmsKeyStatus other
        && Objects.equals(keyId, other.keyId)
        && Objects.equals(arn, other.arn)
        && Objects.equals(keyState, other.keyState)
        && Objects.equals(keyMaterialVersions, other.keyMaterialVersions)
        && Objects.equals(lastRotatedDate, other.lastRotatedDate)
        && Objects.equals(nextRotationDate, other.nextRotationDate)
        && Objects.equals(deletionDate, other.deletionDate)
        && Objects.equals(usedBy, other.usedBy)
        && Objects.equals(observedGeneration, other.observedGeneration)
        && Objects.equals(conditions, other.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(keyId, keyState, keyMaterialVersions, observedGeneration);
  }
}
