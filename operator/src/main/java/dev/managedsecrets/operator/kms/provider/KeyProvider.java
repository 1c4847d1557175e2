package dev.managedsecrets.operator.kms.provider;

import dev.managedsecrets.core.crypto.EncryptionContext;
import java.util.Arrays;
import java.util.List;

/**
 * Where a KMS key's material lives: the operator's keyring ({@code local}), an HSM ({@code pkcs11})
 * or AWS KMS ({@code aws-kms}). A provider knows keys only by id and material version; the key's
 * ARN, aliases, state and who may use it are the {@link KeyCatalog}'s business, and {@link
 * ProviderKms} puts the two together behind {@link Kms}.
 *
 * <p>Every material version is its own key inside the provider and stays there after a rotation, so
 * what was wrapped under it stays readable. Material never leaves the provider except as the data
 * keys it wraps.
 *
 * <p>Failures are {@link dev.managedsecrets.core.secret.SecretsManagerException}s: {@code
 * EncryptionFailure} from {@link #generateDataKey}, {@code DecryptionFailure} from {@link
 * #decrypt}, {@code ResourceNotFoundException} when rotating a key the provider does not hold, and
 * {@code AccessDeniedException} when the provider refuses the operator. Their messages name the key
 * and the provider's error, never a key or secret byte.
 */
public interface KeyProvider extends AutoCloseable {

  /** The name configured for this provider: local, pkcs11 or aws-kms. */
  String name();

  /**
   * Creates material version 1 of a new key and returns 1. Calling it again for a key that already
   * has version 1 creates nothing and returns 1, so a controller can retry it.
   */
  int createKey(String keyId);

  /** Creates a new material version of a key and returns its number; older ones are kept. */
  int rotate(String keyId);

  /** The key's material versions in this provider, oldest first; empty when it has none. */
  List<Integer> materialVersions(String keyId);

  /**
   * A fresh 256-bit data key and the same key wrapped under one material version, with the
   * encryption context bound as associated data.
   */
  NewDataKey generateDataKey(String keyId, int materialVersion, EncryptionContext context);

  /**
   * Unwraps a data key. Fails with DecryptionFailure unless the key id, the material version and
   * the encryption context are those it was wrapped with and the wrapped bytes are unaltered.
   */
  byte[] decrypt(String keyId, int materialVersion, byte[] wrapped, EncryptionContext context);

  /** Releases sessions and connections. */
  @Override
  default void close() {}

  /** A data key as a provider returns it: the plaintext for one use, and its wrapped form. */
  record NewDataKey(byte[] plaintext, byte[] wrapped) {

    /** Overwrites the plaintext key. */
    public void destroy() {
      Arrays.fill(plaintext, (byte) 0);
    }
  }
}
