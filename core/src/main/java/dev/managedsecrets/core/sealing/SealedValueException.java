package dev.managedsecrets.core.sealing;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;

/**
 * A sealed value the operator refuses, and why. The message says which sealed value (by its place,
 * never by its key's name: key names are part of the value) and what to do; it holds no byte of the
 * value.
 */
public final class SealedValueException extends SecretsManagerException {

  /** Why a sealed value is refused. */
  public enum Refusal {
    /** Not a sealed value at all (another text, bad base64url). */
    MALFORMED(AwsError.INVALID_PARAMETER_EXCEPTION),
    /** Cut short: the header or the ciphertext is incomplete. */
    TRUNCATED(AwsError.INVALID_PARAMETER_EXCEPTION),
    /** A format version or cipher suite this operator does not open. */
    UNSUPPORTED(AwsError.INVALID_PARAMETER_EXCEPTION),
    /** Sealed for a key the operator does not hold. */
    UNKNOWN_KEY(AwsError.INVALID_PARAMETER_EXCEPTION),
    /** Sealed for a key that was retired (after a compromise). */
    RETIRED_KEY(AwsError.INVALID_REQUEST_EXCEPTION),
    /** Sealed with another scope than the spec declares. */
    OTHER_SCOPE(AwsError.INVALID_PARAMETER_EXCEPTION),
    /** Sealed for another namespace. */
    OTHER_NAMESPACE(AwsError.INVALID_PARAMETER_EXCEPTION),
    /** Sealed for another ManagedSecret of the namespace. */
    OTHER_MANAGED_SECRET(AwsError.INVALID_PARAMETER_EXCEPTION),
    /** Sealed for another value key, or another of the sealed fields. */
    OTHER_KEY(AwsError.INVALID_PARAMETER_EXCEPTION),
    /** Its header matches, but it does not open: altered (or cut inside the ciphertext). */
    ALTERED(AwsError.INVALID_PARAMETER_EXCEPTION);

    private final AwsError error;

    Refusal(AwsError error) {
      this.error = error;
    }

    public AwsError error() {
      return error;
    }
  }

  private final Refusal refusal;

  public SealedValueException(Refusal refusal, String message) {
    super(refusal.error(), message);
    this.refusal = refusal;
  }

  public Refusal refusal() {
    return refusal;
  }
}
