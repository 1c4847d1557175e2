package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/** The native Secret that the operator projects the AWSCURRENT version into. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.template) || !has(self.templates)",
    message =
        "Use target.template ({{key}} substitution) or target.templates (the template language),"
            + " not both.")
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

  @JsonPropertyDescription(
      "Labels added to the Secret: at most 64; keys at most 317 characters (a 253-character"
          + " prefix, / and a 63-character name), values at most 63 characters.")
  @Size(max = 64)
  @ValidationRule(
      value = "self.all(k, size(k) >= 1 && size(k) <= 317)",
      message = "Label keys must be 1-317 characters.")
  public Map<String, @Size(max = 63) String> labels;

  @JsonPropertyDescription(
      "Annotations added to the Secret: at most 64; keys at most 317 characters; all keys and"
          + " values together at most 262144 bytes, with the operator's own.")
  @Size(max = 64)
  @ValidationRule(
      value = "self.all(k, size(k) >= 1 && size(k) <= 317)",
      message = "Annotation keys must be 1-317 characters.")
  public Map<String, @Size(max = 262144) String> annotations;

  @JsonPropertyDescription(
      "Extra Secret keys rendered from the value's keys: {{key}} is replaced by that key's value,"
          + " and nothing else is done (for functions, use target.templates). Templates read"
          + " nothing else. At most 64 templates of at most 65536 characters, keys"
          + " 1-253 characters; the Secret's data, rendered, at most 1048576 bytes.")
  @Size(max = 64)
  @ValidationRule(
      value = "self.all(k, size(k) >= 1 && size(k) <= 253)",
      message = "target.template keys must be 1-253 characters.")
  public Map<String, @Size(max = 65536) String> template;

  @JsonPropertyDescription(
      "Extra Secret keys rendered by the template language (engineVersion v1): functions for URL"
          + " escaping, base64, JSON, PEM, .dockerconfigjson and htpasswd, defaults and if; see"
          + " docs/TEMPLATES.md. Not with target.template.")
  public TemplatesSpec templates;

  @JsonPropertyDescription(
      "Workloads in the same namespace restarted, as kubectl rollout restart does, once per new"
          + " AWSCURRENT version after the Secret holds it (not for the first version): at most 20,"
          + " each a kind and a name or a label selector.")
  @Size(max = 20)
  public List<RolloutRestartTarget> rolloutRestart;

  @JsonPropertyDescription(
      "The AWSPREVIOUS version's keys projected beside AWSCURRENT's, each under <key><keySuffix>,"
          + " for a grace period after each change of AWSCURRENT, so that applications accept both"
          + " while they roll over. Absent: only AWSCURRENT is projected.")
  public PreviousValueSpec previousValue;

  @JsonPropertyDescription(
      "Whether the Secret is created immutable (kubelets stop watching it). The operator replaces"
          + " it under the same name (delete and create) on every change of what it holds, and when"
          + " this is turned on or off. Not for a Secret merged into (managedsecrets.dev/merge-from)."
          + " Default: false.")
  public Boolean immutable;

  @JsonPropertyDescription(
      "What happens to the Secret when the ManagedSecret is deleted: Delete (default) deletes it"
          + " (a merged Secret loses the managed keys); Retain keeps it, without the owner reference"
          + " and the operator's labels and annotations, annotated managedsecrets.dev/retained-from"
          + " with this ManagedSecret's name, so that only a ManagedSecret of that name takes it"
          + " back.")
  @Pattern("^(Delete|Retain)$")
  public String deletionPolicy;
}
