package dev.managedsecrets.operator.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.crypto.Envelope;
import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.secret.Arns;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Fuzz tests of the envelope parser and of opening stored versions. In `mvn verify` they replay the
 * committed seed corpus (src/test/resources/.../kms/EnvelopeFuzzTestInputs/) like unit tests; with
 * JAZZER_FUZZ=1 Jazzer mutates inputs to find one that breaks them (docs/KMS.md).
 *
 * <p>The keyring and the valid envelope are the format-1 fixtures the KMS tests use, so the seeds
 * reach the KMS and AES-GCM code, not only the parser.
 */
class EnvelopeFuzzTest {

  private static final String FIXTURE = "/dev/managedsecrets/operator/kms/keyring-v1/";
  private static final EncryptionContext SEALED_WITH =
      EncryptionContext.forVersion(
          "arn:k8s:secretsmanager:local:123456789012:secret:team-a/db-AbCdEf",
          "11111111-2222-3333-4444-555555555555");
  private static final EncryptionContext ANOTHER_VERSION =
      EncryptionContext.forVersion(
          "arn:k8s:secretsmanager:local:123456789012:secret:team-a/db-AbCdEf",
          "11111111-2222-3333-4444-555555555556");

  private static final EnvelopeCipher CIPHER =
      new EnvelopeCipher(
          new LocalKms(
              KeyringSecret.fromSecret(
                  Serialization.unmarshal(resource("managedsecret-keyring.yaml"), Secret.class),
                  new Arns("k8s", "local", "123456789012"))));
  private static final byte[] VALID_ENVELOPE =
      Base64.getDecoder()
          .decode(new String(bytes(resource("envelope.b64")), StandardCharsets.UTF_8).strip());

  /** Parsing either refuses with MalformedEnvelopeException or gives back exactly the input. */
  @FuzzTest
  void parseRefusesMalformedBytesOrReturnsAnEnvelopeThatWritesBackTheSameBytes(byte[] input) {
    Envelope envelope;
    try {
      envelope = Envelope.parse(input);
    } catch (Envelope.MalformedEnvelopeException refused) {
      return;
    }
    assertThat(envelope.nonce()).hasSize(12);
    assertThat(envelope.ciphertext().length).isGreaterThanOrEqualTo(16);
    assertThat(envelope.keyArn()).isNotEmpty();
    assertThat(envelope.wrappedKey()).isNotEmpty();
    assertThat(envelope.toBytes()).isEqualTo(input);
  }

  /**
   * Opening arbitrary bytes as a version that was never sealed (no envelope was made for this
   * context) only ever fails with DecryptionFailure: never another exception, never data.
   */
  @FuzzTest
  void openingArbitraryBytesOnlyEverFailsWithDecryptionFailure(byte[] input) {
    assertOnlyDecryptionFailure(input, ANOTHER_VERSION);
  }

  /** A real envelope changed in any way (bytes flipped, cut, or added) never opens. */
  @FuzzTest
  void aSealedEnvelopeAlteredAnywhereDoesNotOpen(FuzzedDataProvider data) {
    byte[] altered = VALID_ENVELOPE.clone();
    int edits = data.consumeInt(1, 8);
    for (int i = 0; i < edits && data.remainingBytes() > 0; i++) {
      switch (data.consumeInt(0, 2)) {
        case 0 -> {
          int at = data.consumeInt(0, altered.length - 1);
          altered[at] ^= (byte) data.consumeInt(1, 255);
        }
        case 1 -> altered = Arrays.copyOf(altered, data.consumeInt(0, altered.length - 1));
        default -> {
          byte[] extra = data.consumeBytes(data.consumeInt(1, 32));
          byte[] longer = Arrays.copyOf(altered, altered.length + extra.length);
          System.arraycopy(extra, 0, longer, altered.length, extra.length);
          altered = longer;
        }
      }
      if (altered.length == 0) {
        break;
      }
    }
    if (Arrays.equals(altered, VALID_ENVELOPE)) {
      assertThat(CIPHER.open(altered, SEALED_WITH)).startsWith('S');
      return;
    }
    assertOnlyDecryptionFailure(altered, SEALED_WITH);
  }

  private static void assertOnlyDecryptionFailure(byte[] stored, EncryptionContext context) {
    byte[] opened;
    try {
      opened = CIPHER.open(stored, context);
    } catch (SecretsManagerException e) {
      assertThat(e.error()).isEqualTo(AwsError.DECRYPTION_FAILURE);
      return;
    }
    fail("Opened %d bytes that were never sealed for this context", opened.length);
  }

  private static InputStream resource(String name) {
    InputStream in = EnvelopeFuzzTest.class.getResourceAsStream(FIXTURE + name);
    if (in == null) {
      throw new IllegalStateException("missing test resource " + FIXTURE + name);
    }
    return in;
  }

  private static byte[] bytes(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
