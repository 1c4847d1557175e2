package dev.managedsecrets.core.projection;

import dev.managedsecrets.core.secret.SecretsManagerException;

/**
 * The bound of a projected Secret, Kubernetes': its data, keys and values counted in bytes, at most
 * 1,048,576 (1 MiB). Counted before the Secret is built: {@link Template} sizes a rendering before
 * it renders.
 */
final class SecretSize {

  /** The most data a Secret may hold (Kubernetes' MaxSecretSize), in bytes. */
  static final int MAX_BYTES = 1024 * 1024;

  private final String field;
  private long bytes;

  /**
   * @param field what a refusal names: target.template when templates add to the data, else the
   *     value's member (secretString or secretBinary)
   */
  SecretSize(String field) {
    this.field = field;
  }

  /** Counts one key and its value's size; refuses when the data passes the bound. */
  void add(String key, long valueBytes) {
    bytes += key.length() + valueBytes;
    if (bytes > MAX_BYTES) {
      throw SecretsManagerException.validation(
          "1 validation error detected: Value at '"
              + field
              + "' failed to satisfy constraint: Member must have length less than or equal to "
              + MAX_BYTES
              + ": the projected Secret's data (the keys and values of the value and of the"
              + " rendered target.template) may hold at most "
              + MAX_BYTES
              + " bytes, as Kubernetes allows a Secret.");
    }
  }
}
