package dev.managedsecrets.operator.kms;

import dev.managedsecrets.operator.secret.Arns;

/** Keyrings for unit tests, made the same way the operator makes its own. */
public final class TestKeyrings {

  private TestKeyrings() {}

  public static Keyring keyring() {
    return Keyring.fromSecret(
        Keyring.newKeyringSecret("managedsecret-system"), new Arns("k8s", "local", "123456789012"));
  }

  public static Kms localKms() {
    return new LocalKms(keyring());
  }
}
