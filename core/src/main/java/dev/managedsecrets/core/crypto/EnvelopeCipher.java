package dev.managedsecrets.core.crypto;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Envelope encryption of versions: a fresh 256-bit data key from the KMS for every version,
 * AES-256-GCM through JCA with a random 96-bit nonce, and the envelope header plus the encryption
 * context as associated data.
 */
public final class EnvelopeCipher {

  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Kms kms;

  public EnvelopeCipher(Kms kms) {
    this.kms = kms;
  }

  /** Encrypts a version's plaintext under a fresh data key of the given KMS key. */
  public byte[] seal(String keyArn, EncryptionContext context, byte[] plaintext) {
    DataKey dataKey = kms.generateDataKey(keyArn, context);
    Cipher cipher = null;
    try {
      byte[] nonce = new byte[12];
      RANDOM.nextBytes(nonce);
      byte[] header =
          new Envelope(
                  dataKey.keyArn(),
                  dataKey.materialVersion(),
                  dataKey.wrapped(),
                  nonce,
                  new byte[0])
              .header();
      cipher = Aead.dataKeyCipher();
      cipher.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(dataKey.plaintext(), "AES"),
          new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(header);
      cipher.updateAAD(context.canonicalView());
      // The envelope is the header and then the ciphertext, written in place: no copy of the value.
      byte[] out = Arrays.copyOf(header, header.length + cipher.getOutputSize(plaintext.length));
      int written = cipher.doFinal(plaintext, 0, plaintext.length, out, header.length);
      return written == out.length - header.length
          ? out
          : Arrays.copyOf(out, header.length + written);
    } catch (GeneralSecurityException e) {
      throw new SecretsManagerException(
          AwsError.ENCRYPTION_FAILURE, "Could not encrypt the secret value with AES-256-GCM.", e);
    } finally {
      dataKey.destroy();
      if (cipher != null) {
        Aead.scrub(cipher);
      }
    }
  }

  /**
   * Decrypts a version. Anything altered, truncated or moved from another secret or version fails
   * with DecryptionFailure; nothing unauthenticated is ever returned.
   */
  public byte[] open(byte[] stored, EncryptionContext context) {
    return open(stored, locate(stored), context);
  }

  /**
   * Decrypts a version of a secret of a namespace: the key's policy holds for reads as for writes,
   * so a namespace that may no longer use the key gets AccessDeniedException. A key that is not
   * found fails as {@link #open(byte[], EncryptionContext)} does, with DecryptionFailure.
   */
  public byte[] open(byte[] stored, EncryptionContext context, String namespace) {
    Envelope.Located located = locate(stored);
    try {
      kms.resolve(located.header().keyArn(), namespace);
    } catch (SecretsManagerException e) {
      if (e.error() != AwsError.RESOURCE_NOT_FOUND_EXCEPTION) {
        throw e;
      }
    }
    return open(stored, located, context);
  }

  private static Envelope.Located locate(byte[] stored) {
    try {
      return Envelope.locate(stored);
    } catch (Envelope.MalformedEnvelopeException e) {
      throw new SecretsManagerException(
          AwsError.DECRYPTION_FAILURE,
          "The stored version is malformed (" + e.getMessage() + ") and was not served.");
    }
  }

  private byte[] open(byte[] stored, Envelope.Located located, EncryptionContext context) {
    Envelope envelope = located.header();
    int offset = located.ciphertextOffset();
    byte[] key =
        kms.decrypt(envelope.keyArn(), envelope.materialVersion(), envelope.wrappedKey(), context);
    Cipher cipher = null;
    try {
      cipher = Aead.dataKeyCipher();
      cipher.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(TAG_BITS, envelope.nonce()));
      // The stored header is the header as written: the parser accepts only what writes back alike.
      cipher.updateAAD(stored, 0, offset);
      cipher.updateAAD(context.canonicalView());
      return cipher.doFinal(stored, offset, stored.length - offset);
    } catch (AEADBadTagException e) {
      throw new SecretsManagerException(
          AwsError.DECRYPTION_FAILURE,
          "The stored version failed authentication: it was altered or does not belong to this"
              + " secret and version. It was not served.");
    } catch (GeneralSecurityException e) {
      throw new SecretsManagerException(
          AwsError.DECRYPTION_FAILURE, "Could not decrypt the stored version.", e);
    } finally {
      Arrays.fill(key, (byte) 0);
      if (cipher != null) {
        Aead.scrub(cipher);
      }
    }
  }
}
