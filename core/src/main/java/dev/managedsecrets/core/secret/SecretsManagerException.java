package dev.managedsecrets.core.secret;

/**
 * A failure with an AWS exception name and a message a person can act on. Messages never carry a
 * secret byte: they name fields, keys and objects, never values.
 */
public class SecretsManagerException extends RuntimeException {

  private final AwsError error;

  public SecretsManagerException(AwsError error, String message) {
    super(message);
    this.error = error;
  }

  public SecretsManagerException(AwsError error, String message, Throwable cause) {
    super(message, cause);
    this.error = error;
  }

  public AwsError error() {
    return error;
  }

  public static SecretsManagerException invalidParameter(String message) {
    return new SecretsManagerException(AwsError.INVALID_PARAMETER_EXCEPTION, message);
  }

  public static SecretsManagerException validation(String message) {
    return new SecretsManagerException(AwsError.VALIDATION_EXCEPTION, message);
  }

  @Override
  public String toString() {
    return error.exceptionName() + ": " + getMessage();
  }
}
