package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** The replication of the secret to one region, as DescribeSecret's ReplicationStatus shows it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReplicationStatus {

  /** The replica is being made or brought up to date. */
  public static final String IN_PROGRESS = "InProgress";

  /** The replica holds the primary's labelled versions, description and tags. */
  public static final String IN_SYNC = "InSync";

  /** The replica could not be made or updated: statusMessage says why. */
  public static final String FAILED = "Failed";

  @JsonPropertyDescription("The replica's region.")
  public String region;

  @JsonPropertyDescription("The KMS key of that region that encrypts the replica.")
  public String kmsKeyId;

  @JsonPropertyDescription("InProgress, InSync or Failed.")
  public String status;

  @JsonPropertyDescription("Why the status is what it is, in AWS's words (never a secret byte).")
  public String statusMessage;

  public ReplicationStatus() {}

  public ReplicationStatus(String region, String kmsKeyId, String status, String statusMessage) {
    this.region = region;
    this.kmsKeyId = kmsKeyId;
    this.status = status;
    this.statusMessage = statusMessage;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReplicationStatus other
        && Objects.equals(region, other.region)
        && Objects.equals(kmsKeyId, other.kmsKeyId)
        && Objects.equals(status, other.status)
        && Objects.equals(statusMessage, other.statusMessage);
  }

  @Override
  public int hashCode() {
    return Objects.hash(region, kmsKeyId, status, statusMessage);
  }
}
