package dev.managedsecrets.core.sealing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.managedsecrets.core.secret.AwsError;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;

/**
 * Fuzz tests of the sealed-value parser and of opening sealed values. In {@code mvn verify} (and so
 * in {@code .ci/run}) they replay the committed seed corpus
 * (src/test/resources/.../sealing/SealedValueFuzzTestInputs/, a folder per test) like unit tests;
 * with JAZZER_FUZZ=1 Jazzer mutates inputs to find one that breaks them (docs/GITOPS.md).
 *
 * <p>The recipient and the ephemeral key pairs are RFC 7748's (6.1, Bob and Alice), so the valid
 * sealed value is the same on every run and the seeds reach HPKE, not only the parser.
 */
class SealedValueFuzzTest {

  static final String WHAT = "sealed key 1 of 1 (sealedData)";
  static final SealingPrivateKey RECIPIENT =
      SealingPrivateKey.fromRaw(
          HexFormat.of()
              .parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  static final byte[] EPHEMERAL =
      HexFormat.of().parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  static final SealingBinding BINDING =
      SealingBinding.strict("team-a", "orders", SealingTarget.data("password"));
  static final byte[] PLAINTEXT = "s3cret value".getBytes(StandardCharsets.UTF_8);
  static final SealedValueOpener OPENER =
      new SealedValueOpener(
          SealedValueOpener.keys(id -> id.equals(RECIPIENT.keyId()) ? RECIPIENT : null));

  /** The one valid sealed value of these tests: PLAINTEXT sealed for BINDING and RECIPIENT. */
  static final SealedValue VALID = sealed();

  /** Bindings it may be opened under: its own, then each of the ways it does not belong. */
  private static final List<SealingBinding> BINDINGS =
      List.of(
          BINDING,
          SealingBinding.strict("team-b", "orders", SealingTarget.data("password")),
          SealingBinding.strict("team-a", "billing", SealingTarget.data("password")),
          SealingBinding.strict("team-a", "orders", SealingTarget.data("username")),
          SealingBinding.strict("team-a", "orders", SealingTarget.secretString()),
          SealingBinding.namespaceWide("team-a", SealingTarget.data("password")));

  private static final List<SealedValueException.Refusal> REFUSED_AS =
      List.of(
          SealedValueException.Refusal.OTHER_NAMESPACE,
          SealedValueException.Refusal.OTHER_MANAGED_SECRET,
          SealedValueException.Refusal.OTHER_KEY,
          SealedValueException.Refusal.OTHER_KEY,
          SealedValueException.Refusal.OTHER_SCOPE);

  /**
   * Any text is either refused as no sealed value (malformed, truncated, unsupported) with a
   * message that names the value by its place and repeats none of it, or read as a sealed value
   * that writes back exactly that text.
   */
  @FuzzTest
  void parsingAnyTextRefusesItSayingWhyOrReadsBackTheSameText(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    SealedValue value;
    try {
      value = SealedValue.parse(text, WHAT);
    } catch (SealedValueException e) {
      assertThat(e.refusal())
          .isIn(
              SealedValueException.Refusal.MALFORMED,
              SealedValueException.Refusal.TRUNCATED,
              SealedValueException.Refusal.UNSUPPORTED);
      assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
      assertThat(e.getMessage()).startsWith(WHAT + " ");
      String body = text.startsWith(SealedValue.PREFIX) ? text.substring(5) : text;
      if (body.length() >= 16) {
        assertThat(e.getMessage()).doesNotContain(body.substring(0, 16));
      }
      return;
    }
    assertThat(value.toText()).isEqualTo(text);
    assertThat(value.enc()).hasSize(HpkeSuite.X25519_KEY_BYTES);
    assertThat(value.ciphertext().length).isGreaterThanOrEqualTo(SealedValue.TAG_BYTES);
  }

  /**
   * Arbitrary bytes as the encapsulated key and ciphertext, behind a header that names this
   * operator's key and this very binding, never open (unless they are the valid value's own): they
   * are refused as altered or truncated, never with another exception. This reaches BouncyCastle's
   * X25519 with any 32 bytes as a public key, low-order points included.
   */
  @FuzzTest
  void arbitraryBytesBehindAMatchingHeaderAreRefusedAsAlteredNeverOpened(byte[] input) {
    byte[] header = VALID.header();
    byte[] bytes = Arrays.copyOf(header, header.length + input.length);
    System.arraycopy(input, 0, bytes, header.length, input.length);
    String text =
        SealedValue.PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    boolean valid = text.equals(VALID.toText());
    byte[] opened;
    try {
      opened = OPENER.open(SealedValue.parse(text, WHAT), BINDING, WHAT);
    } catch (SealedValueException e) {
      assertThat(valid).as("the valid value refused: %s", e.getMessage()).isFalse();
      assertThat(e.refusal())
          .isIn(SealedValueException.Refusal.ALTERED, SealedValueException.Refusal.TRUNCATED);
      return;
    }
    if (!valid) {
      fail("Opened %d bytes that were never sealed", opened.length);
    }
    assertThat(opened).isEqualTo(PLAINTEXT);
  }

  /**
   * The valid sealed value with any span of its text replaced by any text (characters changed, cut,
   * inserted or appended), opened under its own binding or one it does not belong to, is refused
   * with a SealedValueException. It opens only unchanged and under its own binding; unchanged under
   * another binding it is refused saying which.
   */
  @FuzzTest
  void aSealedValueAlteredAnywhereOrAppliedElsewhereNeverOpens(FuzzedDataProvider data) {
    String valid = VALID.toText();
    int where = data.consumeInt(0, BINDINGS.size() - 1);
    int from = data.consumeInt(0, valid.length());
    int to = data.consumeInt(from, valid.length());
    String text = valid.substring(0, from) + data.consumeString(64) + valid.substring(to);
    boolean unchanged = text.equals(valid);
    byte[] opened;
    try {
      opened = OPENER.open(SealedValue.parse(text, WHAT), BINDINGS.get(where), WHAT);
    } catch (SealedValueException e) {
      assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
      if (unchanged) {
        assertThat(where).as("the valid value refused under its own binding").isPositive();
        assertThat(e.refusal()).isEqualTo(REFUSED_AS.get(where - 1));
      }
      return;
    }
    assertThat(unchanged && where == 0)
        .as("opened %d bytes of an altered value or under another binding", opened.length)
        .isTrue();
    assertThat(opened).isEqualTo(PLAINTEXT);
  }

  private static SealedValue sealed() {
    AsymmetricCipherKeyPair ephemeral =
        HpkeSuite.SEALING
            .hpke()
            .deserializePrivateKey(
                EPHEMERAL,
                new X25519PrivateKeyParameters(EPHEMERAL).generatePublicKey().getEncoded());
    return Sealer.seal(HpkeSuite.SEALING, RECIPIENT.publicKey(), BINDING, PLAINTEXT, ephemeral);
  }
}
