package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** Workloads chosen by their labels: every label given must match. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkloadSelector {

  @JsonPropertyDescription(
      "Labels a workload must all carry: 1-16 of them; keys at most 317 characters, values at most"
          + " 63.")
  @Required
  @Size(min = 1, max = 16)
  @ValidationRule(
      value = "self.all(k, size(k) >= 1 && size(k) <= 317)",
      message = "Label keys must be 1-317 characters.")
  public Map<String, @Size(max = 63) String> matchLabels;

  public WorkloadSelector() {}

  public WorkloadSelector(Map<String, String> matchLabels) {
    this.matchLabels = matchLabels;
  }
}
