package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What this region's operator made of the replica. Never a secret byte. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ManagedSecretReplicaStatus {

  @JsonPropertyDescription("The VersionId that carries AWSCURRENT in this region's store.")
  public String versionId;

  @JsonPropertyDescription(
      "The hex digest of the replica's ManagedSecret spec as last applied: an edit of it is put"
          + " back.")
  public String appliedDigest;

  @JsonPropertyDescription(
      "The sequence number of the payload last applied: an older payload (one written back) is"
          + " refused.")
  public Long appliedSequence;

  @JsonPropertyDescription("The metadata.generation that this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription("Ready, with an AWS exception name as reason when it is False.")
  public List<Condition> conditions = new ArrayList<>();

  @Override
  public boolean equals(Object o) {
    return o instanceof ManagedSecretReplicaStatus other
        && Objects.equals(versionId, other.versionId)
        && Objects.equals(appliedDigest, other.appliedDigest)
        && Objects.equals(appliedSequence, other.appliedSequence)
        && Objects.equals(observedGeneration, other.observedGeneration)
        && Objects.equals(conditions, other.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(versionId, appliedDigest, appliedSequence, observedGeneration);
  }
}
