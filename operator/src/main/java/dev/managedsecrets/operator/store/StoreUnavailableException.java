package dev.managedsecrets.operator.store;

/** The store could not be reached or answered with an error; retried with back-off. */
public class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
