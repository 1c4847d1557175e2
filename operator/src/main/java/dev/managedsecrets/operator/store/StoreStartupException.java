package dev.managedsecrets.operator.store;

/**
 * The store cannot be used as configured: wrong credentials, an unreachable server, a schema from a
 * newer operator. The message is one line that says what is wrong and what to check; the operator
 * logs it and stops instead of running without a store.
 */
public class StoreStartupException extends RuntimeException {
  public StoreStartupException(String message) {
    super(message);
  }

  public StoreStartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
