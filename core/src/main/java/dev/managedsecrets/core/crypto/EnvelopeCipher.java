package dev.managedsecrets.core.crypto;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Envelope encryption of versions: a fresh 256-bit data key from the KMS for every version,
 * AES-256-GCM through JCA with a random 96-bit nonce, and the envelope header plus the encryption
 * context as associated data. Versions are sealed in format 2, whose associated data also binds the
 * store record that holds the version (its namespace, name and incarnation), so an envelope copied
 * into another namespace's or another record's store object does not open; format 1 (the encryption
 * context only) opens as it always did. The KMS sees the encryption context alone, as AWS KMS does.
 */
public final class EnvelopeCipher {

  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Kms kms;

  public EnvelopeCipher(Kms kms) {
    this.kms = kms;
  }

  /**
   * Encrypts a version's plaintext under a fresh data key of the given KMS key, in format 2: bound
   * to the store record {@code record} (its id in the store, not the owner's uid).
   */
  public byte[] seal(String keyArn, EncryptionContext context, SecretId record, byte[] plaintext) {
    return seal(keyArn, context, recordBinding(record), plaintext);
  }

  /**
   * Encrypts in format 1, bound to the encryption context only: what versions were before format 2.
   * The operator seals in format 2; this stays for tests of the KMS and of format 1.
   */
  public byte[] seal(String keyArn, EncryptionContext context, byte[] plaintext) {
    return seal(keyArn, context, (byte[]) null, plaintext);
  }

  private byte[] seal(
      String keyArn, EncryptionContext context, byte[] recordBinding, byte[] plaintext) {
    DataKey dataKey = kms.generateDataKey(keyArn, context);
    Cipher cipher = null;
    try {
      byte[] nonce = new byte[12];
      RANDOM.nextBytes(nonce);
      byte[] header =
          new Envelope(
                  recordBinding == null ? Envelope.FORMAT_1 : Envelope.FORMAT_2,
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
      if (recordBinding != null) {
        cipher.updateAAD(recordBinding);
      }
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
   * Decrypts a format-1 version. Anything altered, truncated or moved from another secret or
   * version fails with DecryptionFailure; nothing unauthenticated is ever returned. A format-2
   * version, which is bound to a store record, fails too: open it with its record.
   */
  public byte[] open(byte[] stored, EncryptionContext context) {
    return open(stored, locate(stored), context, null);
  }

  /**
   * Decrypts a format-1 version of a secret of a namespace: the key's policy holds for reads as for
   * writes, so a namespace that may no longer use the key gets AccessDeniedException. A key that is
   * not found fails as {@link #open(byte[], EncryptionContext)} does, with DecryptionFailure.
   */
  public byte[] open(byte[] stored, EncryptionContext context, String namespace) {
    return open(stored, context, namespace, null);
  }

  /**
   * Decrypts a version held by the store record {@code record}, in either format, with the key
   * policy of the record's namespace: a format-2 version opens only as a version of that record.
   */
  public byte[] open(byte[] stored, EncryptionContext context, SecretId record) {
    return open(stored, context, record.namespace(), recordBinding(record));
  }

  private byte[] open(
      byte[] stored, EncryptionContext context, String namespace, byte[] recordBinding) {
    Envelope.Located located = locate(stored);
    try {
      kms.resolve(located.header().keyArn(), namespace);
    } catch (SecretsManagerException e) {
      if (e.error() != AwsError.RESOURCE_NOT_FOUND_EXCEPTION) {
        throw e;
      }
    }
    return open(stored, located, context, recordBinding);
  }

  /**
   * The store record's id as format 2 binds it: the canonical bytes (as the encryption context's)
   * of {Incarnation, Name, Namespace}.
   */
  static byte[] recordBinding(SecretId record) {
    return new EncryptionContext(
            Map.of(
                "Namespace", record.namespace(),
                "Name", record.name(),
                "Incarnation", record.incarnation()))
        .canonicalView();
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

  private byte[] open(
      byte[] stored, Envelope.Located located, EncryptionContext context, byte[] recordBinding) {
    Envelope envelope = located.header();
    int offset = located.ciphertextOffset();
    boolean bound = envelope.format() == Envelope.FORMAT_2;
    if (bound && recordBinding == null) {
      throw new SecretsManagerException(
          AwsError.DECRYPTION_FAILURE,
          "The stored version is bound to a store record, and was opened without one. It was not"
              + " served.");
    }
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
      if (bound) {
        cipher.updateAAD(recordBinding);
      }
      return cipher.doFinal(stored, offset, stored.length - offset);
    } catch (AEADBadTagException e) {
      throw new SecretsManagerException(
          AwsError.DECRYPTION_FAILURE,
          "The stored version failed authentication: it was altered or does not belong to this"
              + " secret, version and store record. It was not served.");
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
