package dev.managedsecrets.operator.kms;

import dev.managedsecrets.core.secret.Arns;
import io.fabric8.kubernetes.api.model.Secret;

/** Builds keyrings and local KMS providers for tests in other packages, with no cluster. */
public final class TestKeyrings {

  public static final Arns ARNS = new Arns("k8s", "local", "123456789012");

  private TestKeyrings() {}

  /** A fresh keyring Secret, as the operator creates it on first start. */
  public static Secret newKeyringSecret() {
    return KeyringSecret.newKeyringSecret("managedsecret-system");
  }

  /** A keyring read from a Secret. */
  public static Keyring keyring(Secret keyringSecret) {
    return KeyringSecret.fromSecret(keyringSecret, ARNS);
  }

  /** A new keyring with the default key. */
  public static Keyring newKeyring() {
    return keyring(newKeyringSecret());
  }

  /** A local KMS over a new keyring. */
  public static LocalKms newLocalKms() {
    return new LocalKms(newKeyring());
  }
}
