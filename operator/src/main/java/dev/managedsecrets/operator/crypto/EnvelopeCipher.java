package dev.managedsecrets.operator.crypto;

import dev.managedsecrets.operator.kms.DataKey;
import dev.managedsecrets.operator.kms.Kms;
import dev.managedsecrets.operator.secret.AwsError;
import dev.managedsecrets.operator.secret.SecretsManagerException;
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
    try {
      byte[] nonce = new byte[12];
      RANDOM.nextBytes(nonce);
      Envelope header =
          new Envelope(
              dataKey.keyArn(), dataKey.materialVersion(), dataKey.wrapped(), nonce, new byte[0]);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(dataKey.plaintext(), "AES"),
          new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData(header, context));
      byte[] ciphertext = cipher.doFinal(plaintext);
      return new Envelope(
              header.keyArn(), header.materialVersion(), header.wrappedKey(), nonce, ciphertext)
          .toBytes();
    } catch (GeneralSecurityException e) {
      throw new SecretsManagerException(
          AwsError.ENCRYPTION_FAILURE, "Could not encrypt the secret value with AES-256-GCM.", e);
    } finally {
      dataKey.destroy();
    }
  }

  /**
   * Decrypts a version. Anything altered, truncated or moved from another secret or version fails
   * with DecryptionFailure; nothing unauthenticated is ever returned.
   */
  public byte[] open(byte[] stored, EncryptionContext context) {
    return open(parse(stored), context);
  }

  /**
   * Decrypts a version of a secret of a namespace: the key's policy holds for reads as for writes,
   * so a namespace that may no longer use the key gets AccessDeniedException. A key that is not
   * found fails as {@link #open(byte[], EncryptionContext)} does, with DecryptionFailure.
   */
  public byte[] open(byte[] stored, EncryptionContext context, String namespace) {
    Envelope envelope = parse(stored);
    try {
      kms.resolve(envelope.keyArn(), namespace);
    } catch (SecretsManagerException e) {
      if (e.error() != AwsError.RESOURCE_NOT_FOUND_EXCEPTION) {
        throw e;
      }
    }
    return open(envelope, context);
  }

  private static Envelope parse(byte[] stored) {
    try {
      return Envelope.parse(stored);
    } catch (Envelope.MalformedEnvelopeException e) {
      throw new SecretsManagerException(
          AwsError.DECRYPTION_FAILURE,
          "The stored version is malformed (" + e.getMessage() + ") and was not served.");
    }
  }

  private byte[] open(Envelope envelope, EncryptionContext context) {
    byte[] key =
        kms.decrypt(envelope.keyArn(), envelope.materialVersion(), envelope.wrappedKey(), context);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(TAG_BITS, envelope.nonce()));
      cipher.updateAAD(associatedData(envelope, context));
      return cipher.doFinal(envelope.ciphertext());
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
    }
  }

  private static byte[] associatedData(Envelope envelope, EncryptionContext context) {
    byte[] header = envelope.header();
    byte[] ctx = context.canonicalBytes();
    byte[] aad = Arrays.copyOf(header, header.length + ctx.length);
    System.arraycopy(ctx, 0, aad, header.length, ctx.length);
    return aad;
  }
}
