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
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretsManagerException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzz tests of the envelope parser and of opening stored versions. In `mvn verify` they replay the
 * committed seed corpus (src/test/resources/.../kms/EnvelopeFuzzTestInputs/) like unit tests; with
 * JAZZER_FUZZ=1 Jazzer mutates inputs to find one that breaks them (docs/KMS.md).
 *
 * <p>The keyring and the valid envelopes are committed fixtures (format 1, and format 2 bound to a
 * store record), so the seeds reach the KMS and AES-GCM code, not only the parser, and the stored
 * formats stay readable.
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
  private static final byte[] VALID_ENVELOPE = base64(resource("envelope.b64"));

  /** The store record the format-2 fixture was sealed for. */
  private static final SecretId RECORD =
      new SecretId("team-a", "team-a/db", "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f");

  private static final byte[] FORMAT_2_ENVELOPE = base64(resource("envelope-format-2.b64"));

  /** The committed format-2 envelope opens as a version of its record, and of no other. */
  @Test
  void theCommittedFormatTwoEnvelopeOpensAsAVersionOfItsRecordOnly() {
    byte[] opened = CIPHER.open(FORMAT_2_ENVELOPE, SEALED_WITH, RECORD);
    assertThat(new String(opened, 1, opened.length - 1, StandardCharsets.UTF_8))
        .isEqualTo("the value sealed in format 2");
    for (SecretId other :
        List.of(
            new SecretId("team-b", RECORD.name(), RECORD.incarnation()),
            new SecretId("team-a", "team-a/other", RECORD.incarnation()),
            RECORD.in("0e9d8c7b-6a5f-4e3d-9c2b-1a0f9e8d7c6b"))) {
      assertOnlyDecryptionFailure(FORMAT_2_ENVELOPE, SEALED_WITH, other);
    }
    assertOnlyDecryptionFailure(FORMAT_2_ENVELOPE, SEALED_WITH);
  }

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
    byte[] altered = altered(VALID_ENVELOPE, data);
    if (Arrays.equals(altered, VALID_ENVELOPE)) {
      assertThat(CIPHER.open(altered, SEALED_WITH)).startsWith('S');
      return;
    }
    assertOnlyDecryptionFailure(altered, SEALED_WITH);
  }

  /** The same of a format-2 envelope, opened as a version of its record. */
  @FuzzTest
  void aSealedFormatTwoEnvelopeAlteredAnywhereDoesNotOpen(FuzzedDataProvider data) {
    byte[] altered = altered(FORMAT_2_ENVELOPE, data);
    if (Arrays.equals(altered, FORMAT_2_ENVELOPE)) {
      assertThat(CIPHER.open(altered, SEALED_WITH, RECORD)).startsWith('S');
      return;
    }
    assertOnlyDecryptionFailure(altered, SEALED_WITH, RECORD);
  }

  /** The envelope with 1 to 8 edits the data choose: bytes flipped, cut, or added. */
  private static byte[] altered(byte[] envelope, FuzzedDataProvider data) {
    byte[] altered = envelope.clone();
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
    return altered;
  }

  private static void assertOnlyDecryptionFailure(byte[] stored, EncryptionContext context) {
    assertOnlyDecryptionFailure(stored, context, null);
  }

  /** As above, opened as a version of {@code record} (null: with the format-1 API, no record). */
  private static void assertOnlyDecryptionFailure(
      byte[] stored, EncryptionContext context, SecretId record) {
    byte[] opened;
    try {
      opened = record == null ? CIPHER.open(stored, context) : CIPHER.open(stored, context, record);
    } catch (SecretsManagerException e) {
      assertThat(e.error()).isEqualTo(AwsError.DECRYPTION_FAILURE);
      return;
    }
    fail("Opened %d bytes that were never sealed for this context", opened.length);
  }

  private static byte[] base64(InputStream in) {
    return Base64.getDecoder().decode(new String(bytes(in), StandardCharsets.UTF_8).strip());
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
