package dev.managedsecrets.core.sealing;

import java.util.function.Function;
import org.bouncycastle.crypto.InvalidCipherTextException;

/**
 * Opens sealed values in memory for a binding the operator built from the ManagedSecret's metadata
 * and spec. Before any private key is used, the header is checked against the binding and the
 * operator's keys, so that a refusal says what is wrong: another scope, namespace, ManagedSecret or
 * key; an unknown or retired sealing key. The AEAD decides in the end: a value whose header matches
 * but that does not open was altered.
 */
public final class SealedValueOpener {

  /** The operator's sealing keys as the opener needs them. */
  public interface Keys {
    /** Whether the operator holds a key of this id (retired or not). */
    boolean holds(String keyId);

    /** When the key was retired (ISO-8601), or null when it is not. */
    String retiredOn(String keyId);

    /** The unwrapped private key of a held key. */
    SealingPrivateKey privateKey(String keyId);
  }

  private final Keys keys;

  public SealedValueOpener(Keys keys) {
    this.keys = keys;
  }

  /**
   * Checks a sealed value against the binding and the keys, without opening it (no private key is
   * used, no KMS is asked).
   *
   * @param what how messages name the value ("sealed key 2 of 3", "sealedSecretString")
   * @throws SealedValueException the first thing wrong with it
   */
  public void check(SealedValue value, SealingBinding binding, String what) {
    if (value.scope() != binding.scope()) {
      throw new SealedValueException(
          SealedValueException.Refusal.OTHER_SCOPE,
          what
              + " was sealed with scope "
              + value.scope().word()
              + ", but spec.sealedScope is "
              + binding.scope().word()
              + ": seal it again with scope "
              + binding.scope().word()
              + ", or set spec.sealedScope to "
              + value.scope().word()
              + ".");
    }
    if (!SealingBinding.sameHint(value.namespaceHint(), binding.namespaceHint())) {
      throw new SealedValueException(
          SealedValueException.Refusal.OTHER_NAMESPACE,
          what
              + " was sealed for another namespace than "
              + binding.namespace()
              + ": a sealed value opens only in the namespace it was sealed for. Seal it again"
              + " for this one.");
    }
    if (!SealingBinding.sameHint(value.nameHint(), binding.nameHint())) {
      throw new SealedValueException(
          SealedValueException.Refusal.OTHER_MANAGED_SECRET,
          what
              + " was sealed for another ManagedSecret than "
              + binding.name()
              + " (scope strict): seal it again for this one, or seal it with scope"
              + " namespace-wide.");
    }
    if (!SealingBinding.sameHint(value.targetHint(), binding.targetHint())) {
      throw new SealedValueException(
          SealedValueException.Refusal.OTHER_KEY,
          what
              + " was sealed for another value key or field: a sealed value opens only under the"
              + " key (or as the field) it was sealed for. Seal it again for this one.");
    }
    if (!keys.holds(value.keyId())) {
      throw new SealedValueException(
          SealedValueException.Refusal.UNKNOWN_KEY,
          what
              + " is sealed for sealing key "
              + value.keyId()
              + ", which this operator does not hold: seal it again with a published key"
              + " (kubectl managedsecret seal), or restore the sealing keys from their backup.");
    }
    String retired = keys.retiredOn(value.keyId());
    if (retired != null) {
      throw new SealedValueException(
          SealedValueException.Refusal.RETIRED_KEY,
          what
              + " is sealed for sealing key "
              + value.keyId()
              + ", which was retired on "
              + retired
              + " (sealing.retiredKeys): seal the value again with the current key, and change"
              + " the secret itself if the key may have been read.");
    }
  }

  /**
   * Checks and opens a sealed value; the caller clears the plaintext.
   *
   * @throws SealedValueException what {@link #check} finds, or ALTERED when it does not open
   */
  public byte[] open(SealedValue value, SealingBinding binding, String what) {
    check(value, binding, what);
    return open(value, binding, keys.privateKey(value.keyId()), what);
  }

  /** Opens with a given key, after {@link #check}: the AEAD alone decides. */
  static byte[] open(
      SealedValue value, SealingBinding binding, SealingPrivateKey key, String what) {
    byte[] secret = key.raw();
    try {
      return value
          .suite()
          .open(
              secret,
              key.publicKey().raw(),
              value.enc(),
              Sealer.INFO,
              binding.associatedData(value.header()),
              value.ciphertext());
    } catch (InvalidCipherTextException | IllegalArgumentException | IllegalStateException e) {
      throw new SealedValueException(
          SealedValueException.Refusal.ALTERED,
          what
              + " does not open: it was altered or cut short (its header names this namespace,"
              + " ManagedSecret, key and sealing key). Seal it again.");
    } finally {
      java.util.Arrays.fill(secret, (byte) 0);
    }
  }

  /** Keys from a lookup, none retired: for tests and tools. */
  public static Keys keys(Function<String, SealingPrivateKey> lookup) {
    return new Keys() {
      @Override
      public boolean holds(String keyId) {
        return lookup.apply(keyId) != null;
      }

      @Override
      public String retiredOn(String keyId) {
        return null;
      }

      @Override
      public SealingPrivateKey privateKey(String keyId) {
        return lookup.apply(keyId);
      }
    };
  }
}
