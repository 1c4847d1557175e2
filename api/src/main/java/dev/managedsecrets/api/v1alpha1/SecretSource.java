package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A Secret in the ManagedSecret's own namespace whose value becomes the secret's value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretSource {

  @JsonPropertyDescription("The Secret's name, in the ManagedSecret's namespace.")
  @Required
  @Size(min = 1, max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  public String name;

  @JsonPropertyDescription(
      "One key of that Secret: its value becomes the whole value. Omitted: every key, as one JSON"
          + " object.")
  @Size(min = 1, max = 253)
  public String key;
}
