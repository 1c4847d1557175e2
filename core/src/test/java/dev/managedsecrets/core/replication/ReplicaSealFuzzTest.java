package dev.managedsecrets.core.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.managedsecrets.core.sealing.SealingPrivateKey;
import dev.managedsecrets.core.sealing.SealingPublicKey;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * Fuzz tests of opening replica payloads and of reading their encoding. In {@code mvn verify} they
 * replay the committed seed corpus (src/test/resources/.../replication/ReplicaSealFuzzTestInputs/)
 * like unit tests; with JAZZER_FUZZ=1 Jazzer mutates inputs to find one that breaks them.
 *
 * <p>The key pairs are RFC 7748's (6.1, Alice's as the primary's, Bob's as the replica region's),
 * so the seeds mean the same on every run.
 */
class ReplicaSealFuzzTest {

  static final SealingPrivateKey PRIMARY =
      SealingPrivateKey.fromRaw(
          HexFormat.of()
              .parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  static final SealingPrivateKey REPLICA =
      SealingPrivateKey.fromRaw(
          HexFormat.of()
              .parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  static final Function<String, SealingPrivateKey> OWN_KEYS = ReplicaFixtures.holding(REPLICA);
  static final Function<String, SealingPublicKey> SENDER_KEYS =
      ReplicaFixtures.accepting(PRIMARY.publicKey());

  /** The one valid text of these tests (its ephemeral key is random: it differs on each run). */
  static final String VALID =
      ReplicaSeal.seal(ReplicaFixtures.payload(), PRIMARY, REPLICA.publicKey());

  /** Objects it may be found in: its own, then others. */
  private static final List<ReplicaBinding> BINDINGS =
      List.of(
          ReplicaFixtures.BINDING,
          new ReplicaBinding("us-west-2", "eu-west-1", "team-a", "orders"),
          new ReplicaBinding("us-east-1", "eu-west-2", "team-a", "orders"),
          new ReplicaBinding("us-east-1", "eu-west-1", "team-b", "orders"),
          new ReplicaBinding("us-east-1", "eu-west-1", "team-a", "billing"));

  /**
   * Any text is refused with a ReplicaSealException (never another exception) whose message holds
   * none of the payload's values, or it is the valid text and opens.
   */
  @FuzzTest
  void openingAnyTextRefusesItSayingWhyNeverWithAnotherException(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    try {
      ReplicaPayload opened =
          ReplicaSeal.open(text, ReplicaFixtures.BINDING, OWN_KEYS, SENDER_KEYS);
      assertThat(text).isEqualTo(VALID);
      assertThat(opened).isEqualTo(ReplicaFixtures.payload());
    } catch (ReplicaSealException e) {
      ReplicaSealTest.assertNoCanary(e.getMessage());
    }
  }

  /**
   * The valid text with any span replaced by any text, found in its own object or another one, is
   * refused; it opens only unchanged and in its own object, and unchanged elsewhere it is refused
   * as WRONG_DESTINATION.
   */
  @FuzzTest
  void aSealedPayloadAlteredAnywhereOrFoundElsewhereNeverOpens(FuzzedDataProvider data) {
    int where = data.consumeInt(0, BINDINGS.size() - 1);
    int from = data.consumeInt(0, VALID.length());
    int to = data.consumeInt(from, VALID.length());
    String text = VALID.substring(0, from) + data.consumeString(64) + VALID.substring(to);
    boolean unchanged = text.equals(VALID);
    ReplicaPayload opened;
    try {
      opened = ReplicaSeal.open(text, BINDINGS.get(where), OWN_KEYS, SENDER_KEYS);
    } catch (ReplicaSealException e) {
      ReplicaSealTest.assertNoCanary(e.getMessage());
      if (unchanged) {
        assertThat(where).as("the valid text refused in its own object").isPositive();
        assertThat(e.reason()).isEqualTo(ReplicaSealException.Reason.WRONG_DESTINATION);
      }
      return;
    }
    if (!unchanged || where != 0) {
      fail(
          "Opened a payload of %d versions that was altered or elsewhere",
          opened.versions().size());
    }
    assertThat(opened).isEqualTo(ReplicaFixtures.payload());
  }

  /**
   * Any bytes as the plaintext are refused as MALFORMED or TOO_LARGE, or read as a payload whose
   * encoding is exactly those bytes: each payload has one encoding.
   */
  @FuzzTest
  void decodingAnyBytesRefusesThemOrReadsAPayloadThatEncodesBackToThem(byte[] input) {
    ReplicaPayload payload;
    try {
      payload = ReplicaCodec.decode(input, "fuzz");
    } catch (ReplicaSealException e) {
      assertThat(e.reason())
          .isIn(ReplicaSealException.Reason.MALFORMED, ReplicaSealException.Reason.TOO_LARGE);
      return;
    }
    assertThat(ReplicaCodec.encode(payload)).isEqualTo(input);
  }
}
