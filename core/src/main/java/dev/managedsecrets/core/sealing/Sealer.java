package dev.managedsecrets.core.sealing;

import org.bouncycastle.crypto.AsymmetricCipherKeyPair;

/**
 * Seals a value for the operator with a sealing public key: HPKE base mode (RFC 9180), a fresh
 * ephemeral key each time (so the same plaintext seals to a different text every time), the header
 * and the binding as associated data. This is what the kubectl plugin calls; it needs nothing but
 * the public key.
 *
 * <pre>{@code
 * SealingPublicKey key = SealingPublicKey.fromPem(pem);
 * String sealed = Sealer.seal(key, SealingBinding.strict("production", "orders-db",
 *     SealingTarget.data("password")), "s3cret".getBytes(UTF_8));
 * }</pre>
 */
public final class Sealer {

  /** HPKE's info: the application and format the keys are used for. */
  static final byte[] INFO =
      "managedsecrets.dev sealed value v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private Sealer() {}

  /** The sealed value's text ({@code msv1.…}) of {@code plaintext} for {@code binding}. */
  public static String seal(SealingPublicKey key, SealingBinding binding, byte[] plaintext) {
    return seal(HpkeSuite.SEALING, key, binding, plaintext, null).toText();
  }

  /**
   * Seals with a given suite and, for test vectors only, a given ephemeral key pair (null: a fresh
   * random one).
   */
  static SealedValue seal(
      HpkeSuite suite,
      SealingPublicKey key,
      SealingBinding binding,
      byte[] plaintext,
      AsymmetricCipherKeyPair ephemeral) {
    byte[] header =
        SealedValue.header(
            suite,
            binding.scope(),
            key.keyId(),
            binding.namespaceHint(),
            binding.nameHint(),
            binding.targetHint());
    HpkeSuite.Sealed sealed =
        suite.seal(key.raw(), INFO, binding.associatedData(header), plaintext, ephemeral);
    return new SealedValue(
        suite,
        binding.scope(),
        key.keyId(),
        binding.namespaceHint(),
        binding.nameHint(),
        binding.targetHint(),
        sealed.enc(),
        sealed.ciphertext());
  }
}
