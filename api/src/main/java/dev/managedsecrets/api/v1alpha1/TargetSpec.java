package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.Map;

/** The native Secret that the operator projects the AWSCURRENT version into. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TargetSpec {

  @JsonPropertyDescription("Name of the Secret, in the same namespace. Default: metadata.name.")
  @Size(min = 1, max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  public String name;

  @JsonPropertyDescription(
      "Type of the Secret: Opaque (default), kubernetes.io/basic-auth,"
          + " kubernetes.io/dockerconfigjson, kubernetes.io/tls or kubernetes.io/ssh-auth; never a"
          + " service-account token.")
  @Pattern(SecretType.PATTERN)
  public String type;

  @JsonPropertyDescription("Labels added to the Secret.")
  public Map<String, String> labels;

  @JsonPropertyDescription("Annotations added to the Secret.")
  public Map<String, String> annotations;

  @JsonPropertyDescription(
      "Extra Secret keys rendered from the value's keys: {{key}} is replaced by that key's value."
          + " Templates read nothing else.")
  @Size(max = 64)
  public Map<String, String> template;
}
