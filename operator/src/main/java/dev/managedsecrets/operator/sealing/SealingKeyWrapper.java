package dev.managedsecrets.operator.sealing;

import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.sealing.SealingPrivateKey;
import java.util.Arrays;
import java.util.Map;

/**
 * Wraps sealing private keys under the KMS's default key (alias/managedsecrets, in whichever
 * provider kms.provider names: local, pkcs11 or aws-kms), as a version's value is: an envelope with
 * a fresh data key, the key id as encryption context. So a private key is never at rest in plain
 * text, and opens only where the KMS key does.
 */
final class SealingKeyWrapper {

  static final String CONTEXT_KEY = "managedsecrets.dev/sealing-key-id";

  private final Kms kms;
  private final EnvelopeCipher cipher;
  private final String operatorNamespace;

  SealingKeyWrapper(Kms kms, String operatorNamespace) {
    this.kms = kms;
    this.cipher = new EnvelopeCipher(kms);
    this.operatorNamespace = operatorNamespace;
  }

  byte[] wrap(SealingPrivateKey key) {
    byte[] raw = key.raw();
    try {
      return cipher.seal(kms.resolve(null, operatorNamespace), context(key.keyId()), raw);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /** Opens a wrapped key (one KMS call); checks it is the key of its id. */
  SealingPrivateKey unwrap(String keyId, byte[] wrapped) {
    byte[] raw = cipher.open(wrapped, context(keyId));
    try {
      SealingPrivateKey key = SealingPrivateKey.fromRaw(raw);
      if (!key.keyId().equals(keyId)) {
        key.destroy();
        throw new IllegalStateException("sealing key " + keyId + " does not match its id");
      }
      return key;
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  private static EncryptionContext context(String keyId) {
    return new EncryptionContext(Map.of(CONTEXT_KEY, keyId));
  }
}
