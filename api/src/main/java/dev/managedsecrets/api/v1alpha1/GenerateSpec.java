package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * One generated key: a password with GetRandomPassword's parameters (no type, or type password), or
 * another generator chosen by {@link #type} with its own fields.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.type) || self.type == 'password' || !(has(self.passwordLength)"
            + " || has(self.excludeCharacters) || has(self.excludeNumbers)"
            + " || has(self.excludePunctuation) || has(self.excludeUppercase)"
            + " || has(self.excludeLowercase) || has(self.includeSpace)"
            + " || has(self.requireEachIncludedType))",
    message = "GetRandomPassword parameters are for type password only.")
@ValidationRule(
    value =
        "!has(self.algorithm) || (has(self.type)"
            + " && ((self.type == 'sshKeyPair' && self.algorithm in ['ed25519', 'rsa'])"
            + " || (self.type == 'tlsCertificate' && self.algorithm in ['ecdsa', 'rsa'])))",
    message = "algorithm is for type sshKeyPair (ed25519, rsa) and tlsCertificate (ecdsa, rsa).")
@ValidationRule(
    value =
        "!has(self.bits) || (has(self.type) && (self.type == 'rsaKey'"
            + " || (self.type in ['sshKeyPair', 'tlsCertificate'] && has(self.algorithm)"
            + " && self.algorithm == 'rsa')))",
    message =
        "bits is for RSA keys: type rsaKey, or sshKeyPair and tlsCertificate with algorithm"
            + " rsa.")
@ValidationRule(
    value =
        "!has(self.curve) || (has(self.type) && (self.type == 'ecKey'"
            + " || (self.type == 'tlsCertificate' && (!has(self.algorithm)"
            + " || self.algorithm == 'ecdsa'))))",
    message = "curve is for EC keys: type ecKey, or tlsCertificate with algorithm ecdsa.")
@ValidationRule(
    value =
        "!(has(self.length) || has(self.encoding)) || (has(self.type)"
            + " && self.type == 'randomBytes')",
    message = "length and encoding are for type randomBytes only.")
@ValidationRule(
    value = "has(self.certificate) == (has(self.type) && self.type == 'tlsCertificate')",
    message = "certificate is needed by type tlsCertificate, and for it only.")
public class GenerateSpec {

  /** The generator types; none is a password. */
  public static final String TYPES =
      "^(password|sshKeyPair|rsaKey|ecKey|tlsCertificate|randomBytes|uuid)$";

  @JsonPropertyDescription(
      "What is generated: password (the default), sshKeyPair, rsaKey, ecKey, tlsCertificate,"
          + " randomBytes or uuid. Generators of several keys name them after this key (docs/API.md"
          + "#generators).")
  @Pattern(TYPES)
  @Size(max = 14)
  public String type;

  @JsonPropertyDescription(
      "sshKeyPair: ed25519 (default) or rsa. tlsCertificate: the key's algorithm, ecdsa (default)"
          + " or rsa.")
  @Pattern("^(ed25519|rsa|ecdsa)$")
  @Size(max = 7)
  public String algorithm;

  @JsonPropertyDescription("RSA key size: 2048, 3072 (default) or 4096.")
  @Min(2048)
  @Max(4096)
  @ValidationRule(
      value = "self == 2048 || self == 3072 || self == 4096",
      message = "bits must be 2048, 3072 or 4096.")
  public Integer bits;

  @JsonPropertyDescription("EC curve: P-256 (default) or P-384.")
  @Pattern("^(P-256|P-384)$")
  @Size(max = 5)
  public String curve;

  @JsonPropertyDescription("randomBytes: how many bytes, 1-1024 (default 32).")
  @Min(1)
  @Max(1024)
  public Integer length;

  @JsonPropertyDescription("randomBytes: how the bytes are written, base64 (default) or hex.")
  @Pattern("^(base64|hex)$")
  @Size(max = 6)
  public String encoding;

  @JsonPropertyDescription("tlsCertificate: what the certificate says, and who signs it.")
  public CertificateSpec certificate;

  @JsonPropertyDescription("Length of the password, 1-4096 (default 32).")
  @Min(1)
  @Max(4096)
  public Integer passwordLength;

  @JsonPropertyDescription("Characters never to use.")
  @Size(max = 4096)
  public String excludeCharacters;

  @JsonPropertyDescription("Use no digits.")
  public Boolean excludeNumbers;

  @JsonPropertyDescription("Use none of the 32 punctuation characters.")
  public Boolean excludePunctuation;

  @JsonPropertyDescription("Use no uppercase letters.")
  public Boolean excludeUppercase;

  @JsonPropertyDescription("Use no lowercase letters.")
  public Boolean excludeLowercase;

  @JsonPropertyDescription("Allow the space character.")
  public Boolean includeSpace;

  @JsonPropertyDescription("Use at least one character of every included type (default true).")
  public Boolean requireEachIncludedType;
}
