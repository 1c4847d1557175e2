package dev.managedsecrets.core.generate;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.core.secret.SecretsManagerException;

/** What a {@code spec.generate} entry makes: a password when it names no type. */
public enum GeneratorType {
  PASSWORD("password"),
  SSH_KEY_PAIR("sshKeyPair"),
  RSA_KEY("rsaKey"),
  EC_KEY("ecKey"),
  TLS_CERTIFICATE("tlsCertificate"),
  RANDOM_BYTES("randomBytes"),
  UUID("uuid");

  private final String word;

  GeneratorType(String word) {
    this.word = word;
  }

  /** The word of {@code spec.generate.*.type}. */
  public String word() {
    return word;
  }

  /**
   * The type of an entry: {@link #PASSWORD} for none (GetRandomPassword's parameters, as before
   * types existed).
   *
   * @throws SecretsManagerException InvalidParameterException for a type that is not one of these
   */
  public static GeneratorType of(GenerateSpec spec) {
    if (spec == null || spec.type == null) {
      return PASSWORD;
    }
    for (GeneratorType t : values()) {
      if (t.word.equals(spec.type)) {
        return t;
      }
    }
    throw SecretsManagerException.invalidParameter(
        "A generate entry's type must be password, sshKeyPair, rsaKey, ecKey, tlsCertificate,"
            + " randomBytes or uuid.");
  }
}
