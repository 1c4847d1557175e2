package dev.managedsecrets.operator.store;

/** Another writer changed the record first; re-read and try again. */
public class StoreConflictException extends RuntimeException {
  public StoreConflictException(String message) {
    super(message);
  }
}
