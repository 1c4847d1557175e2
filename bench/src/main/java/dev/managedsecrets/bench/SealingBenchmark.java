package dev.managedsecrets.bench;

import dev.managedsecrets.core.sealing.HpkeSuite;
import dev.managedsecrets.core.sealing.SealedValue;
import dev.managedsecrets.core.sealing.SealedValueOpener;
import dev.managedsecrets.core.sealing.Sealer;
import dev.managedsecrets.core.sealing.SealingBinding;
import dev.managedsecrets.core.sealing.SealingPrivateKey;
import dev.managedsecrets.core.sealing.SealingTarget;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.agreement.X25519Agreement;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Opening one sealed value as the operator does for each sealed value whose ciphertext changed
 * (parse the text, check the header against the binding and the keys, HPKE open with an unwrapped
 * key held in memory), against the least any such open does: one X25519 agreement and one
 * AES-256-GCM decryption of the value under the raw shared secret. HPKE's own open (BouncyCastle,
 * no parsing, no checks) and the parsing of the text alone tell where the difference goes.
 */
@State(Scope.Benchmark)
// Each operation timed on its own: the median (p0.50) stays that of an unloaded core on a shared
// two-core machine, where the average takes in every time the thread was descheduled.
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class SealingBenchmark {

  static final String WHAT = "sealed key 1 of 1 (sealedData)";

  /** A password, and a larger value (a certificate and its key). */
  @Param({"32", "4096"})
  int size;

  final SecureRandom random = new SecureRandom();
  byte[] plaintext;
  SealingPrivateKey key;
  SealingBinding binding;
  SealedValueOpener opener;
  String sealed;

  byte[] info;
  byte[] aad;
  HpkeSuite.Sealed hpkeSealed;

  X25519PrivateKeyParameters recipient;
  X25519PublicKeyParameters ephemeral;
  byte[] nonce;
  byte[] floorCiphertext;

  @Setup
  public void setup() throws Exception {
    plaintext = new byte[size];
    random.nextBytes(plaintext);
    key = SealingPrivateKey.generate();
    binding = SealingBinding.strict("bench", "orders", SealingTarget.data("password"));
    opener =
        new SealedValueOpener(SealedValueOpener.keys(id -> id.equals(key.keyId()) ? key : null));
    sealed = Sealer.seal(key.publicKey(), binding, plaintext);

    // HPKE alone, with an info and associated data as long as this sealed value's (the header of
    // 52 bytes and the length-prefixed binding of 90).
    info = new byte[34];
    aad = new byte[142];
    hpkeSealed = HpkeSuite.SEALING.seal(key.publicKey().raw(), info, aad, plaintext, null);

    // The floor: the same recipient key, an ephemeral key, the value under the raw shared secret.
    recipient = new X25519PrivateKeyParameters(key.raw());
    X25519PrivateKeyParameters sender = new X25519PrivateKeyParameters(random);
    ephemeral = sender.generatePublicKey();
    byte[] shared = agree(sender, recipient.generatePublicKey());
    nonce = new byte[12];
    random.nextBytes(nonce);
    Cipher enc = Cipher.getInstance("AES/GCM/NoPadding");
    enc.init(
        Cipher.ENCRYPT_MODE, new SecretKeySpec(shared, "AES"), new GCMParameterSpec(128, nonce));
    floorCiphertext = enc.doFinal(plaintext);
  }

  /** What the operator does per sealed value: parse, check, open (the key already unwrapped). */
  @Benchmark
  public byte[] openSealedValue() {
    return opener.open(SealedValue.parse(sealed, WHAT), binding, WHAT);
  }

  /** Reading the sealed value's text alone: its form, not whether it opens. */
  @Benchmark
  public SealedValue parseSealedValue() {
    return SealedValue.parse(sealed, WHAT);
  }

  /** BouncyCastle's HPKE open alone: SetupBaseR (DHKEM, HKDF key schedule) and one AEAD open. */
  @Benchmark
  public byte[] hpkeOpen() throws Exception {
    return HpkeSuite.SEALING.open(
        key.raw(), key.publicKey().raw(), hpkeSealed.enc(), info, aad, hpkeSealed.ciphertext());
  }

  /**
   * The floor: one X25519 agreement (BouncyCastle) and one AES-256-GCM decryption (JCA, a new
   * {@code Cipher}) of the value under the raw shared secret. No KDF, no header, no binding.
   */
  @Benchmark
  public byte[] rawX25519AndAesGcmFloor() throws Exception {
    byte[] shared = agree(recipient, ephemeral);
    Cipher dec = Cipher.getInstance("AES/GCM/NoPadding");
    dec.init(
        Cipher.DECRYPT_MODE, new SecretKeySpec(shared, "AES"), new GCMParameterSpec(128, nonce));
    return dec.doFinal(floorCiphertext);
  }

  private static byte[] agree(X25519PrivateKeyParameters own, X25519PublicKeyParameters other) {
    X25519Agreement agreement = new X25519Agreement();
    agreement.init(own);
    byte[] shared = new byte[agreement.getAgreementSize()];
    agreement.calculateAgreement(other, shared, 0);
    return shared;
  }
}
