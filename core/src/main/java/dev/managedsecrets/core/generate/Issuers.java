package dev.managedsecrets.core.generate;

import dev.managedsecrets.api.v1alpha1.IssuerReference;
import dev.managedsecrets.core.secret.SecretsManagerException;

/** Finds the CA that a certificate's issuer names, in the certificate's own namespace. */
@FunctionalInterface
public interface Issuers {

  /** None: every certificate that names an issuer is refused. */
  Issuers NONE =
      ref -> {
        throw SecretsManagerException.invalidParameter(
            "A certificate names an issuer, and no other ManagedSecret can be read here.");
      };

  /**
   * @throws SecretsManagerException InvalidParameterException when the ManagedSecret {@code
   *     ref.name} of the namespace has no such CA
   */
  Issuer find(IssuerReference ref);
}
