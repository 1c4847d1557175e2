package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A workload in the ManagedSecret's namespace that is restarted, as {@code kubectl rollout restart}
 * does, when the projected Secret holds a new AWSCURRENT version: named, or chosen by labels.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.name) != has(self.selector)",
    message = "A rolloutRestart entry needs exactly one of name and selector.")
public class RolloutRestartTarget {

  /** The kinds that can be restarted. */
  public static final String KINDS = "^(Deployment|StatefulSet|DaemonSet)$";

  @JsonPropertyDescription("Deployment, StatefulSet or DaemonSet.")
  @Required
  @Pattern(KINDS)
  @Size(max = 11)
  public String kind;

  @JsonPropertyDescription("Name of the workload, in the same namespace.")
  @Size(min = 1, max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  public String name;

  @JsonPropertyDescription("The workloads of this kind whose labels match, in the same namespace.")
  public WorkloadSelector selector;

  public RolloutRestartTarget() {}

  public RolloutRestartTarget(String kind, String name) {
    this.kind = kind;
    this.name = name;
  }
}
