package dev.managedsecrets.operator.endpoint;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;

/**
 * An answer in AWS's error shape: the exception's name ({@code __type}), its HTTP status and a
 * message. Messages never carry a secret byte, and a refusal never says whether a secret exists.
 */
final class AwsException extends RuntimeException {

  private final String type;
  private final int status;

  AwsException(String type, int status, String message) {
    super(message, null, false, false);
    this.type = type;
    this.status = status;
  }

  String type() {
    return type;
  }

  int status() {
    return status;
  }

  static AwsException of(SecretsManagerException e) {
    AwsError error = e.error();
    int status = error == AwsError.INTERNAL_SERVICE_ERROR ? 500 : 400;
    return new AwsException(error.exceptionName(), status, e.getMessage());
  }

  static AwsException notFound() {
    return new AwsException(
        "ResourceNotFoundException", 400, "Secrets Manager can't find the specified secret.");
  }

  static AwsException invalidParameter(String message) {
    return new AwsException("InvalidParameterException", 400, message);
  }

  static AwsException invalidRequest(String message) {
    return new AwsException("InvalidRequestException", 400, message);
  }

  static AwsException validation(String message) {
    return new AwsException("ValidationException", 400, message);
  }

  static AwsException serialization(String message) {
    return new AwsException("SerializationException", 400, message);
  }

  static AwsException invalidSignature(String message) {
    return new AwsException("InvalidSignatureException", 400, message);
  }

  static AwsException incompleteSignature(String message) {
    return new AwsException("IncompleteSignature", 400, message);
  }

  static AwsException internal() {
    return new AwsException("InternalServiceError", 500, "An error occurred on the server side.");
  }
}
