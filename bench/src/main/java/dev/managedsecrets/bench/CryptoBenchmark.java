package dev.managedsecrets.bench;

import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.secret.Arns;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.operator.kms.Keyring;
import dev.managedsecrets.operator.kms.KeyringSecret;
import dev.managedsecrets.operator.kms.LocalKms;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
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
 * Envelope encryption and decryption of one version (fresh data key from the local KMS, AES-256-GCM
 * with the encryption context as associated data) against raw JCA AES-256-GCM on the same bytes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// Long warm-up: on a shared two-core machine the JIT is still compiling after 3 s, and a fixed
// heap keeps heap resizing out of the 64 KiB rows.
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class CryptoBenchmark {

  @Param({"256", "4096", "65536"})
  int size;

  byte[] plaintext;
  byte[] key;
  EnvelopeCipher cipher;
  String keyArn;
  EncryptionContext context;
  final SecretId record = new SecretId("bench", "bench/value", "uid-bench");
  final SecureRandom random = new SecureRandom();

  @Setup
  public void setup() {
    plaintext = new byte[size];
    random.nextBytes(plaintext);
    key = new byte[32];
    random.nextBytes(key);
    Kms kms = new LocalKms(BenchKeyrings.keyring());
    keyArn = kms.resolve(null, "bench");
    cipher = new EnvelopeCipher(kms);
    context =
        EncryptionContext.forVersion(
            "arn:k8s:secretsmanager:local:123456789012:secret:bench/value-AbCdEf",
            "9b8c0c1e-1111-2222-3333-444455556666");
  }

  @Benchmark
  public byte[] envelopeSealAndOpen() {
    // As the operator seals and opens a version: format 2, bound to its store record.
    return cipher.open(cipher.seal(keyArn, context, record, plaintext), context, record);
  }

  @Benchmark
  public byte[] rawAesGcmEncryptAndDecrypt() throws Exception {
    byte[] nonce = new byte[12];
    random.nextBytes(nonce);
    Cipher enc = Cipher.getInstance("AES/GCM/NoPadding");
    enc.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
    byte[] ct = enc.doFinal(plaintext);
    Cipher dec = Cipher.getInstance("AES/GCM/NoPadding");
    dec.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
    return dec.doFinal(ct);
  }

  /**
   * The least work any envelope with a fresh data key per version does, in raw JCA: draw a 256-bit
   * data key, wrap it with AES-256-GCM under a master key, encrypt the value under the data key,
   * unwrap the data key, decrypt the value. Four AES-GCM operations where raw encryption has two:
   * the envelope's own overhead is its time above this floor.
   */
  @Benchmark
  public byte[] rawEnvelopeFloor() throws Exception {
    byte[] dataKey = new byte[32];
    random.nextBytes(dataKey);
    byte[] wrapNonce = new byte[12];
    random.nextBytes(wrapNonce);
    Cipher wrap = Cipher.getInstance("AES/GCM/NoPadding");
    wrap.init(
        Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, wrapNonce));
    byte[] wrapped = wrap.doFinal(dataKey);
    byte[] nonce = new byte[12];
    random.nextBytes(nonce);
    Cipher enc = Cipher.getInstance("AES/GCM/NoPadding");
    enc.init(
        Cipher.ENCRYPT_MODE, new SecretKeySpec(dataKey, "AES"), new GCMParameterSpec(128, nonce));
    byte[] ct = enc.doFinal(plaintext);
    Cipher unwrap = Cipher.getInstance("AES/GCM/NoPadding");
    unwrap.init(
        Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, wrapNonce));
    byte[] unwrapped = unwrap.doFinal(wrapped);
    Cipher dec = Cipher.getInstance("AES/GCM/NoPadding");
    dec.init(
        Cipher.DECRYPT_MODE, new SecretKeySpec(unwrapped, "AES"), new GCMParameterSpec(128, nonce));
    return dec.doFinal(ct);
  }

  /** A keyring made as the operator makes its own, in an in-process API server. */
  static final class BenchKeyrings {
    static Keyring keyring() {
      KubernetesMockServer server =
          new KubernetesMockServer(
              new Context(),
              new MockWebServer(),
              new HashMap<>(),
              new KubernetesCrudDispatcher(),
              false);
      server.init();
      try (KubernetesClient client = server.createClient()) {
        return KeyringSecret.loadOrCreate(
            client, "bench", new Arns("k8s", "local", "123456789012"));
      } finally {
        server.destroy();
      }
    }
  }
}
