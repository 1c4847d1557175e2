package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.names.Names;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import java.util.Optional;

/** The value of another ManagedSecret that a ManagedSecret of its namespace reads. */
final class SameNamespace {

  private SameNamespace() {}

  /**
   * The record of {@code other} (a ManagedSecret whose status has its ARN) with an AWSCURRENT
   * version, if the store has one.
   */
  static Optional<StoredSecret> record(SecretsManagerService secrets, ManagedSecret other) {
    String arn = other.getStatus().arn;
    return secrets.findByNameToRead(Names.of(other).id()).stream()
        .filter(r -> r.arn().equals(arn) && r.current().isPresent())
        .findFirst();
  }

  /** The AWSCURRENT plaintext of {@code other}, if it has one; the caller clears it. */
  static Optional<SecretValue> current(SecretsManagerService secrets, ManagedSecret other) {
    return record(secrets, other).map(r -> secrets.read(r, r.current().get()));
  }
}
