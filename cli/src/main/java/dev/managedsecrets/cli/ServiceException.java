package dev.managedsecrets.cli;

import dev.managedsecrets.core.secret.SecretsManagerException;

/**
 * An error of Secrets Manager: an AWS exception name and a message, printed as the AWS CLI prints
 * it: {@code An error occurred (ResourceNotFoundException) when calling the DescribeSecret
 * operation: Secrets Manager can't find the specified secret.}
 */
public final class ServiceException extends CliException {

  public static final String SECRET_NOT_FOUND = "Secrets Manager can't find the specified secret.";
  public static final String MARKED_FOR_DELETION =
      "You can't perform this operation on the secret because it was marked for deletion.";

  private final String exceptionName;

  public ServiceException(String exceptionName, String message) {
    super(SERVICE, message);
    this.exceptionName = exceptionName;
  }

  public String exceptionName() {
    return exceptionName;
  }

  @Override
  public String render(String operation) {
    return "An error occurred ("
        + exceptionName
        + ") when calling the "
        + operation
        + " operation: "
        + getMessage();
  }

  public static ServiceException of(SecretsManagerException e) {
    return new ServiceException(e.error().exceptionName(), e.getMessage());
  }

  public static ServiceException notFound() {
    return new ServiceException("ResourceNotFoundException", SECRET_NOT_FOUND);
  }

  public static ServiceException invalidParameter(String message) {
    return new ServiceException("InvalidParameterException", message);
  }

  public static ServiceException invalidRequest(String message) {
    return new ServiceException("InvalidRequestException", message);
  }

  public static ServiceException markedForDeletion() {
    return invalidRequest(MARKED_FOR_DELETION);
  }
}
