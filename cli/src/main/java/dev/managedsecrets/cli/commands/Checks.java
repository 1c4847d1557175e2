package dev.managedsecrets.cli.commands;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.cli.ServiceException;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.validation.SpecValidator;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.function.Consumer;

/** The operator's own spec rules, checked before a change is sent. */
final class Checks {

  private Checks() {}

  /**
   * Applies {@code change} to a copy of the ManagedSecret and validates it with the operator's
   * {@link SpecValidator}: a broken rule fails here with AWS's exception name, before anything is
   * written.
   */
  static void validate(ManagedSecret ms, Consumer<ManagedSecretSpec> change) {
    ManagedSecret copy = Serialization.jsonMapper().convertValue(ms, ManagedSecret.class);
    if (copy.getSpec() == null) {
      copy.setSpec(new ManagedSecretSpec());
    }
    change.accept(copy.getSpec());
    validate(copy);
  }

  static void validate(ManagedSecret ms) {
    try {
      SpecValidator.validate(ms);
    } catch (SecretsManagerException e) {
      throw ServiceException.of(e);
    }
  }
}
