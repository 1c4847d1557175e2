package dev.managedsecrets.core.replication;

import static dev.managedsecrets.core.replication.ReplicaFixtures.BINARY;
import static dev.managedsecrets.core.replication.ReplicaFixtures.BINDING;
import static dev.managedsecrets.core.replication.ReplicaFixtures.CANARIES;
import static dev.managedsecrets.core.replication.ReplicaFixtures.VALUE;
import static dev.managedsecrets.core.replication.ReplicaFixtures.accepting;
import static dev.managedsecrets.core.replication.ReplicaFixtures.holding;
import static dev.managedsecrets.core.replication.ReplicaFixtures.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.core.Allocations;
import dev.managedsecrets.core.replication.ReplicaSealException.Reason;
import dev.managedsecrets.core.sealing.HpkeSuite;
import dev.managedsecrets.core.sealing.SealingPrivateKey;
import dev.managedsecrets.core.sealing.SealingPublicKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Sealing a replica payload from the primary's operator to a replica region's operator: what opens,
 * and every refusal with its reason and a message that holds no value, tag value or key name.
 */
class ReplicaSealTest {

  private final SealingPrivateKey primary = SealingPrivateKey.generate();
  private final SealingPrivateKey replica = SealingPrivateKey.generate();
  private final Function<String, SealingPrivateKey> ownKeys = holding(replica);
  private final Function<String, SealingPublicKey> senderKeys = accepting(primary.publicKey());

  private String sealed() {
    return ReplicaSeal.seal(payload(), primary, replica.publicKey());
  }

  private ReplicaPayload open(String text, ReplicaBinding expected) {
    return ReplicaSeal.open(text, expected, ownKeys, senderKeys);
  }

  @Test
  void aSealedPayloadOpensToEveryPartOfIt() {
    String text = sealed();
    assertThat(text).startsWith("msr1.");
    ReplicaPayload opened = open(text, BINDING);
    assertThat(opened).isEqualTo(payload());
    assertThat(opened.sequence()).isEqualTo(42);
    assertThat(opened.spec()).isEqualTo(ReplicaFixtures.SPEC);
    assertThat(opened.description()).isEqualTo(ReplicaFixtures.DESCRIPTION);
    assertThat(opened.tags().keySet()).containsExactly("env", "team");
    ReplicaVersion current = opened.versions().get(0);
    assertThat(new String(current.value(), StandardCharsets.UTF_8)).isEqualTo(VALUE);
    assertThat(current.binary()).isFalse();
    assertThat(current.stages()).containsExactly("AWSCURRENT", "blue");
    assertThat(current.createdDate()).isEqualTo(Instant.parse("2026-12-01T10:15:30.123456789Z"));
    ReplicaVersion previous = opened.versions().get(1);
    assertThat(previous.value()).isEqualTo(BINARY);
    assertThat(previous.binary()).isTrue();
  }

  @Test
  void aPayloadWithoutDescriptionSettingsTagsOrVersionsOpensAsItWas() {
    ReplicaPayload bare = new ReplicaPayload(BINDING, "arn:x", -1, null, null, null, List.of());
    assertThat(open(ReplicaSeal.seal(bare, primary, replica.publicKey()), BINDING)).isEqualTo(bare);
  }

  @Test
  void sealingTheSamePayloadTwiceGivesTwoTextsThatBothOpen() {
    String one = sealed();
    String two = sealed();
    assertThat(one).isNotEqualTo(two);
    assertThat(open(one, BINDING)).isEqualTo(open(two, BINDING));
  }

  @Test
  void anotherOperatorsKeyDoesNotOpenIt() {
    SealingPrivateKey other = SealingPrivateKey.generate();
    assertRefused(
        () -> ReplicaSeal.open(sealed(), BINDING, holding(other), senderKeys),
        Reason.UNKNOWN_RECIPIENT_KEY);
    // Its header rewritten to name the other key: that key still does not open it.
    String relabelled = withHeader(sealed(), replicaKeyHeader(other.keyId()));
    assertRefused(
        () -> ReplicaSeal.open(relabelled, BINDING, holding(other), senderKeys),
        Reason.NOT_AUTHENTIC);
  }

  @Test
  void aLookupThatAnswersWithAnotherKeyThanItWasAskedForOpensNothing() {
    SealingPrivateKey other = SealingPrivateKey.generate();
    assertRefused(
        () -> ReplicaSeal.open(sealed(), BINDING, id -> other, senderKeys),
        Reason.UNKNOWN_RECIPIENT_KEY);
    assertRefused(
        () -> ReplicaSeal.open(sealed(), BINDING, ownKeys, id -> other.publicKey()),
        Reason.UNKNOWN_SENDER_KEY);
  }

  @Test
  void aPayloadSealedByAnyoneElseForTheRecipientsPublicKeyIsRefused() {
    // Whoever can write the replica object can seal for the recipient's public key.
    SealingPrivateKey attacker = SealingPrivateKey.generate();
    String own = ReplicaSeal.seal(payload(), attacker, replica.publicKey());
    assertRefused(() -> open(own, BINDING), Reason.UNKNOWN_SENDER_KEY);

    // Naming the primary's key id in the header, sealed with the attacker's key pair.
    byte[] header = ReplicaSeal.header(primary.keyId(), replica.keyId(), BINDING);
    String forged = sealWith(header, attacker, ReplicaCodec.encode(payload()));
    assertRefused(() -> open(forged, BINDING), Reason.NOT_AUTHENTIC);

    // In base mode, with no sender key at all.
    HpkeSuite.Sealed base =
        HpkeSuite.SEALING.seal(
            replica.publicKey().raw(),
            ReplicaSeal.INFO,
            concat(header, BINDING.aad()),
            ReplicaCodec.encode(payload()),
            null);
    String unauthenticated = text(header, base);
    assertRefused(() -> open(unauthenticated, BINDING), Reason.NOT_AUTHENTIC);
  }

  @Test
  void aPayloadInAnotherObjectNamespaceRegionOrFromAnotherPrimaryIsRefused() {
    String text = sealed();
    List<ReplicaBinding> elsewhere =
        List.of(
            new ReplicaBinding("us-west-2", "eu-west-1", "team-a", "orders"),
            new ReplicaBinding("us-east-1", "eu-west-2", "team-a", "orders"),
            new ReplicaBinding("us-east-1", "eu-west-1", "team-b", "orders"),
            new ReplicaBinding("us-east-1", "eu-west-1", "team-a", "billing"));
    for (ReplicaBinding binding : elsewhere) {
      assertRefused(() -> open(text, binding), Reason.WRONG_DESTINATION)
          .hasMessageContaining(binding.namespace() + "/" + binding.name())
          .hasMessageContaining("team-a/orders in eu-west-1 (primary region us-east-1)");
      // Its header rewritten to name the object it was copied to: it no longer authenticates.
      String moved =
          withHeader(text, ReplicaSeal.header(primary.keyId(), replica.keyId(), binding));
      assertRefused(() -> open(moved, binding), Reason.NOT_AUTHENTIC);
    }
  }

  @Test
  void aPayloadWhoseContentNamesAnotherDestinationThanItsHeaderIsRefused() {
    ReplicaBinding other = new ReplicaBinding("us-east-1", "eu-west-1", "team-a", "billing");
    byte[] header = ReplicaSeal.header(primary.keyId(), replica.keyId(), BINDING);
    String text = sealWith(header, primary, ReplicaCodec.encode(payload(other, VALUE)));
    assertRefused(() -> open(text, BINDING), Reason.WRONG_DESTINATION)
        .hasMessageContaining("its content is for team-a/billing");
  }

  @Test
  void aByteChangedAnywhereIsRefused() {
    String text = sealed();
    byte[] bytes = decode(text);
    for (int i = 0; i < bytes.length; i++) {
      for (int bit : new int[] {0x01, 0x80}) {
        byte[] changed = bytes.clone();
        changed[i] ^= (byte) bit;
        String altered = encode(changed);
        assertThatThrownBy(() -> open(altered, BINDING))
            .as("byte %d, bit %x", i, bit)
            .isInstanceOf(ReplicaSealException.class)
            .satisfies(e -> assertNoCanary(e.getMessage()));
      }
    }
  }

  @Test
  void aTextCutShortOrLengthenedIsRefused() {
    byte[] bytes = decode(sealed());
    for (int length : new int[] {0, 3, 10, 40, bytes.length - 17, bytes.length - 1}) {
      String cut = encode(Arrays.copyOf(bytes, length));
      assertThatThrownBy(() -> open(cut, BINDING)).isInstanceOf(ReplicaSealException.class);
    }
    assertRefused(
        () -> open(encode(Arrays.copyOf(bytes, bytes.length + 1)), BINDING), Reason.NOT_AUTHENTIC);
  }

  @Test
  void textsThatAreNoSealedPayloadAreRefusedAsMalformed() {
    String text = sealed();
    List<String> malformed = new ArrayList<>();
    malformed.add("");
    malformed.add("msv1." + text.substring(5));
    malformed.add(text + "=");
    malformed.add(text.substring(0, 20) + "*" + text.substring(21));
    // A last character with bits that encode no byte: the same bytes, another text.
    malformed.add(strayBits(text));
    for (String bad : malformed) {
      assertRefused(() -> open(bad, BINDING), Reason.MALFORMED);
    }
    assertRefused(() -> open(null, BINDING), Reason.MALFORMED);
  }

  @Test
  void aTextLongerThanAReplicaObjectHoldsIsRefusedBeforeItIsDecoded() {
    String huge = ReplicaSeal.PREFIX + "A".repeat(ReplicaSeal.MAX_TEXT);
    long allocated =
        Allocations.during(
            () ->
                assertRefused(() -> open(huge, BINDING), Reason.TOO_LARGE)
                    .hasMessageContaining("1048581 characters, more than the 1048576"));
    // Decoding it would allocate its 786,432 bytes, and taking its body a 1 MiB string.
    assertThat(allocated).as("bytes allocated to refuse it").isLessThan(512 * 1024);
  }

  @Test
  void aPayloadLargerThanAReplicaObjectHoldsIsNotSealed() {
    List<ReplicaVersion> versions = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      versions.add(new ReplicaVersion("v" + i, List.of(), Instant.EPOCH, new byte[65_536], true));
    }
    ReplicaPayload large = new ReplicaPayload(BINDING, "arn:x", 1, null, Map.of(), null, versions);
    assertThatThrownBy(() -> ReplicaSeal.seal(large, primary, replica.publicKey()))
        .isInstanceOfSatisfying(
            ReplicaSealException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
        .hasMessageContaining("20 versions")
        .hasMessageContaining("more than the 1048576");
  }

  @Test
  void unknownKeyIdsAreNamedInTheRefusal() {
    SealingPrivateKey stranger = SealingPrivateKey.generate();
    String forStranger = ReplicaSeal.seal(payload(), primary, stranger.publicKey());
    assertRefused(() -> open(forStranger, BINDING), Reason.UNKNOWN_RECIPIENT_KEY)
        .hasMessageContaining(stranger.keyId());
    String byStranger = ReplicaSeal.seal(payload(), stranger, replica.publicKey());
    assertRefused(() -> open(byStranger, BINDING), Reason.UNKNOWN_SENDER_KEY)
        .hasMessageContaining(stranger.keyId());
  }

  // --- helpers

  private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertRefused(
      ThrowingCallable call, Reason reason) {
    return assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            ReplicaSealException.class,
            e -> {
              assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
              assertNoCanary(e.getMessage());
            });
  }

  static void assertNoCanary(String message) {
    for (String canary : CANARIES) {
      assertThat(message).doesNotContain(canary);
    }
  }

  private byte[] replicaKeyHeader(String recipientKeyId) {
    return ReplicaSeal.header(primary.keyId(), recipientKeyId, BINDING);
  }

  /** The sealed text with its header replaced, enc and ciphertext kept. */
  private static String withHeader(String text, byte[] header) {
    byte[] bytes = decode(text);
    // Both key ids of the original are 16 characters, and it is for BINDING.
    int oldLength = ReplicaSeal.header("0123456789abcdef", "0123456789abcdef", BINDING).length;
    return encode(concat(header, Arrays.copyOfRange(bytes, oldLength, bytes.length)));
  }

  private String sealWith(byte[] header, SealingPrivateKey sender, byte[] plaintext) {
    byte[] senderPrivate = sender.raw();
    HpkeSuite.Sealed sealed =
        HpkeSuite.SEALING.sealAuth(
            replica.publicKey().raw(),
            senderPrivate,
            sender.publicKey().raw(),
            ReplicaSeal.INFO,
            concat(header, BINDING.aad()),
            plaintext);
    return text(header, sealed);
  }

  private static String text(byte[] header, HpkeSuite.Sealed sealed) {
    return encode(concat(concat(header, sealed.enc()), sealed.ciphertext()));
  }

  private static String strayBits(String text) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int body = text.length() - ReplicaSeal.PREFIX.length();
    if (body % 4 == 0) {
      // No spare bits in a whole group: drop a byte's worth to make one.
      return strayBits(encode(Arrays.copyOf(decode(text), decode(text).length - 1)));
    }
    int last = alphabet.indexOf(text.charAt(text.length() - 1));
    return text.substring(0, text.length() - 1) + alphabet.charAt(last ^ 1);
  }

  static byte[] decode(String text) {
    return Base64.getUrlDecoder().decode(text.substring(ReplicaSeal.PREFIX.length()));
  }

  static String encode(byte[] bytes) {
    return ReplicaSeal.PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
