package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * A region the secret is replicated to, as ReplicateSecretToRegions' AddReplicaRegions names it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReplicaRegion {

  /** A region's name: a lowercase letter, then at most 31 of lowercase letters, digits and -. */
  public static final String REGION = "^[a-z][a-z0-9-]{0,31}$";

  @JsonPropertyDescription(
      "The region: one of the peer regions configured on the operator (replication.peers), never"
          + " the operator's own. 1-32 of a-z, 0-9 and -, starting with a letter.")
  @Required
  @Size(min = 1, max = 32)
  @Pattern(REGION)
  public String region;

  @JsonPropertyDescription(
      "The KMS key of that region that encrypts the replica: an alias (alias/...), KmsKey name, key"
          + " id or key ARN as that region's operator resolves them in the same namespace."
          + " Omitted: that region's default key alias/managedsecrets.")
  @Size(min = 1, max = 2048)
  public String kmsKeyId;

  public ReplicaRegion() {}

  public ReplicaRegion(String region, String kmsKeyId) {
    this.region = region;
    this.kmsKeyId = kmsKeyId;
  }
}
