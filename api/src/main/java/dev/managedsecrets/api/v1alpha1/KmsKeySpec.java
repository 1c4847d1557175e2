package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** What the key owner wants. Omitted booleans keep their AWS defaults (no schema defaults). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(oldSelf.provider) || (has(self.provider) && self.provider == oldSelf.provider)",
    message = "provider is immutable: key material cannot move between providers.")
public class KmsKeySpec {

  @JsonPropertyDescription("A description of the key, at most 8192 characters.")
  @Size(max = 8192)
  public String description;

  @JsonPropertyDescription(
      "Aliases (alias/<name>), unique per namespace. alias/managedsecrets is reserved for the"
          + " default key.")
  @Size(max = 50)
  @ValidationRule(
      value = "self.all(a, a != 'alias/managedsecrets')",
      message = "alias/managedsecrets is reserved for the default key.")
  public List<@Size(max = 256) @Pattern("^alias/[a-zA-Z0-9/_-]{1,250}$") String> aliases;

  @JsonPropertyDescription(
      "Whether the key may be used (default true). A disabled key fails new versions with"
          + " EncryptionFailure and reads with DecryptionFailure.")
  public Boolean enabled;

  @JsonPropertyDescription("Rotate the key material automatically (default false).")
  public Boolean enableKeyRotation;

  @JsonPropertyDescription("Days between automatic rotations, 90-2560 (default 365).")
  @Min(90)
  @Max(2560)
  public Integer rotationPeriodInDays;

  @JsonPropertyDescription(
      "Where the key material lives: a provider configured on the operator (local, pkcs11,"
          + " aws-kms). Default: the operator's default provider.")
  @Size(max = 32)
  @Pattern("^(local|pkcs11|aws-kms)$")
  public String provider;

  @JsonPropertyDescription(
      "The key policy: namespaces whose ManagedSecrets may use the key (by key id or ARN), besides"
          + " its own, which always may. Default: only its own namespace.")
  @Size(max = 256)
  public List<@Size(min = 1, max = 63) String> allowedNamespaces;

  @JsonPropertyDescription("Days before a deleted key's material is destroyed, 7-30 (default 30).")
  @Min(7)
  @Max(30)
  public Integer pendingWindowInDays;
}
