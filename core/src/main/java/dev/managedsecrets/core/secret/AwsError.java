package dev.managedsecrets.core.secret;

/**
 * The AWS Secrets Manager exception names that the operator uses as condition reasons. A terminal
 * error is not retried until the spec changes; the others are retried with back-off.
 */
public enum AwsError {
  VALIDATION_EXCEPTION("ValidationException", true),
  INVALID_PARAMETER_EXCEPTION("InvalidParameterException", true),
  INVALID_REQUEST_EXCEPTION("InvalidRequestException", true),
  RESOURCE_EXISTS_EXCEPTION("ResourceExistsException", true),
  RESOURCE_NOT_FOUND_EXCEPTION("ResourceNotFoundException", true),
  LIMIT_EXCEEDED_EXCEPTION("LimitExceededException", true),
  ACCESS_DENIED_EXCEPTION("AccessDeniedException", true),
  MALFORMED_POLICY_DOCUMENT_EXCEPTION("MalformedPolicyDocumentException", true),
  PUBLIC_POLICY_EXCEPTION("PublicPolicyException", true),
  ENCRYPTION_FAILURE("EncryptionFailure", false),
  DECRYPTION_FAILURE("DecryptionFailure", false),
  INTERNAL_SERVICE_ERROR("InternalServiceError", false);

  private final String exceptionName;
  private final boolean terminal;

  AwsError(String exceptionName, boolean terminal) {
    this.exceptionName = exceptionName;
    this.terminal = terminal;
  }

  /** The name AWS gives the exception, used as the Ready condition's reason. */
  public String exceptionName() {
    return exceptionName;
  }

  /** True when retrying cannot help until the user changes something. */
  public boolean terminal() {
    return terminal;
  }
}
