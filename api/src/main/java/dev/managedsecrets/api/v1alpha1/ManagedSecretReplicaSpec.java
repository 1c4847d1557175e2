package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** What the primary region's operator wrote: where the replica comes from, and its content. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ManagedSecretReplicaSpec {

  /** The longest sealed payload's text. */
  public static final int MAX_SEALED_CHARACTERS = 1048576;

  @JsonPropertyDescription("The region of the primary secret.")
  @Required
  @Size(min = 1, max = 32)
  @Pattern(ReplicaRegion.REGION)
  public String primaryRegion;

  @JsonPropertyDescription("The ARN of the primary secret, in its region.")
  @Required
  @Size(min = 1, max = 2048)
  public String primaryArn;

  @JsonPropertyDescription(
      "The primary's labelled versions, description, tags and replica key, sealed by the primary's"
          + " operator for this region's operator and bound to namespace, name and version: opaque"
          + " to everyone else. At most 1048576 characters.")
  @Required
  @Size(min = 1, max = MAX_SEALED_CHARACTERS)
  public String sealed;

  @JsonPropertyDescription(
      "Overwrite a secret of the same name in this region that is not this replica (the primary's"
          + " forceOverwriteReplicaSecret). A promoted replica is never overwritten.")
  public Boolean forceOverwrite;
}
