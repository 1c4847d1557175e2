package dev.managedsecrets.core.sealing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.core.secret.AwsError;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * The sealed value's format and binding: what opens, and every refusal with its reason and a
 * message that names neither a byte of the value nor a key's name.
 */
class SealedValueTest {

  private static final String KEY_NAME = "db-password-canary";
  private static final byte[] PLAINTEXT = "s3cret-canary-value".getBytes(StandardCharsets.UTF_8);
  private static final String WHAT = "sealed key 2 of 3";

  private final SealingPrivateKey key = SealingPrivateKey.generate();
  private final SealedValueOpener opener = new SealedValueOpener(keys(key, null));

  private static SealingBinding strict(String namespace, String name, String key) {
    return SealingBinding.strict(namespace, name, SealingTarget.data(key));
  }

  @Test
  void opensAStrictValueForTheSameNamespaceNameAndKey() {
    String text = Sealer.seal(key.publicKey(), strict("team-a", "orders", KEY_NAME), PLAINTEXT);
    assertThat(text).startsWith("msv1.");
    SealedValue value = SealedValue.parse(text, WHAT);
    assertThat(value.keyId()).isEqualTo(key.keyId());
    assertThat(opener.open(value, strict("team-a", "orders", KEY_NAME), WHAT)).isEqualTo(PLAINTEXT);
  }

  @Test
  void opensANamespaceWideValueUnderAnyManagedSecretOfItsNamespace() {
    SealingBinding sealedFor = SealingBinding.namespaceWide("team-a", SealingTarget.data(KEY_NAME));
    String text = Sealer.seal(key.publicKey(), sealedFor, PLAINTEXT);
    assertThat(
            opener.open(
                SealedValue.parse(text, WHAT),
                new SealingBinding(
                    SealingScope.NAMESPACE_WIDE, "team-a", "another", SealingTarget.data(KEY_NAME)),
                WHAT))
        .isEqualTo(PLAINTEXT);
  }

  @Test
  void sealingTheSamePlaintextTwiceGivesTwoDifferentTextsThatBothOpen() {
    SealingBinding b = strict("team-a", "orders", KEY_NAME);
    String one = Sealer.seal(key.publicKey(), b, PLAINTEXT);
    String two = Sealer.seal(key.publicKey(), b, PLAINTEXT);
    assertThat(one).isNotEqualTo(two);
    assertThat(opener.open(SealedValue.parse(two, WHAT), b, WHAT)).isEqualTo(PLAINTEXT);
  }

  @Test
  void wholeValueFormsAreBoundToTheirField() {
    SealingBinding string = SealingBinding.strict("team-a", "orders", SealingTarget.secretString());
    String text = Sealer.seal(key.publicKey(), string, PLAINTEXT);
    assertThat(opener.open(SealedValue.parse(text, WHAT), string, WHAT)).isEqualTo(PLAINTEXT);
    assertRefused(
        () ->
            opener.open(
                SealedValue.parse(text, WHAT),
                SealingBinding.strict("team-a", "orders", SealingTarget.secretBinary()),
                WHAT),
        SealedValueException.Refusal.OTHER_KEY);
  }

  @Test
  void refusesAValueCopiedIntoAnotherNamespace() {
    String text = Sealer.seal(key.publicKey(), strict("team-a", "orders", KEY_NAME), PLAINTEXT);
    assertRefused(
        () ->
            opener.open(SealedValue.parse(text, WHAT), strict("team-b", "orders", KEY_NAME), WHAT),
        SealedValueException.Refusal.OTHER_NAMESPACE);
  }

  @Test
  void refusesANamespaceWideValueCopiedIntoAnotherNamespace() {
    String text =
        Sealer.seal(
            key.publicKey(),
            SealingBinding.namespaceWide("team-a", SealingTarget.data(KEY_NAME)),
            PLAINTEXT);
    assertRefused(
        () ->
            opener.open(
                SealedValue.parse(text, WHAT),
                SealingBinding.namespaceWide("team-b", SealingTarget.data(KEY_NAME)),
                WHAT),
        SealedValueException.Refusal.OTHER_NAMESPACE);
  }

  @Test
  void refusesAStrictValueCopiedIntoAnotherManagedSecret() {
    String text = Sealer.seal(key.publicKey(), strict("team-a", "orders", KEY_NAME), PLAINTEXT);
    assertRefused(
        () ->
            opener.open(SealedValue.parse(text, WHAT), strict("team-a", "billing", KEY_NAME), WHAT),
        SealedValueException.Refusal.OTHER_MANAGED_SECRET);
  }

  @Test
  void refusesAValueCopiedUnderAnotherKey() {
    String text = Sealer.seal(key.publicKey(), strict("team-a", "orders", KEY_NAME), PLAINTEXT);
    assertRefused(
        () -> opener.open(SealedValue.parse(text, WHAT), strict("team-a", "orders", "other"), WHAT),
        SealedValueException.Refusal.OTHER_KEY);
  }

  @Test
  void refusesAValueSealedWithAnotherScopeThanTheSpecDeclares() {
    String text = Sealer.seal(key.publicKey(), strict("team-a", "orders", KEY_NAME), PLAINTEXT);
    assertRefused(
        () ->
            opener.open(
                SealedValue.parse(text, WHAT),
                SealingBinding.namespaceWide("team-a", SealingTarget.data(KEY_NAME)),
                WHAT),
        SealedValueException.Refusal.OTHER_SCOPE);
  }

  @Test
  void refusesAValueSealedForAKeyTheOperatorDoesNotHold() {
    SealingPrivateKey unknown = SealingPrivateKey.generate();
    String text = Sealer.seal(unknown.publicKey(), strict("team-a", "orders", KEY_NAME), PLAINTEXT);
    assertRefused(
        () ->
            opener.open(SealedValue.parse(text, WHAT), strict("team-a", "orders", KEY_NAME), WHAT),
        SealedValueException.Refusal.UNKNOWN_KEY);
  }

  @Test
  void refusesAValueSealedForARetiredKeyAndSaysSo() {
    SealedValueOpener retired = new SealedValueOpener(keys(key, "2026-03-01T00:00:00Z"));
    String text = Sealer.seal(key.publicKey(), strict("team-a", "orders", KEY_NAME), PLAINTEXT);
    SealedValueException e =
        assertRefused(
            () ->
                retired.open(
                    SealedValue.parse(text, WHAT), strict("team-a", "orders", KEY_NAME), WHAT),
            SealedValueException.Refusal.RETIRED_KEY);
    assertThat(e.error()).isEqualTo(AwsError.INVALID_REQUEST_EXCEPTION);
    assertThat(e.getMessage()).contains("retired on 2026-03-01T00:00:00Z", "seal the value again");
  }

  @Test
  void aTextCutShortAtAnyCharacterIsRefusedAsCutShortWhateverItsLastCharacter() {
    String text = Sealer.seal(key.publicKey(), strict("team-a", "orders", KEY_NAME), PLAINTEXT);
    int prefix = SealedValue.PREFIX.length();
    for (int length = prefix + 2; length < text.length() - 4; length++) {
      if ((length - prefix) % 4 == 1) {
        continue; // a lone character in the last group is no base64url at all: malformed
      }
      String cut = text.substring(0, length);
      assertThatThrownBy(
              () ->
                  opener.open(
                      SealedValue.parse(cut, WHAT), strict("team-a", "orders", KEY_NAME), WHAT))
          .as("cut to %d characters", length)
          .isInstanceOfSatisfying(
              SealedValueException.class,
              e ->
                  assertThat(
                          e.refusal() == SealedValueException.Refusal.TRUNCATED
                              || e.refusal() == SealedValueException.Refusal.ALTERED
                              || e.getMessage().endsWith("(the text was cut short or changed)."))
                      .as(e.getMessage())
                      .isTrue());
    }
  }

  @Test
  void refusesAValueTruncatedAnywhere() {
    String text = Sealer.seal(key.publicKey(), strict("team-a", "orders", KEY_NAME), PLAINTEXT);
    byte[] bytes = SealedValue.parse(text, WHAT).toBytes();
    for (int length = 0; length < bytes.length; length++) {
      String cut = text(java.util.Arrays.copyOf(bytes, length));
      assertThatThrownBy(
              () ->
                  opener.open(
                      SealedValue.parse(cut, WHAT), strict("team-a", "orders", KEY_NAME), WHAT))
          .as("cut to %d bytes", length)
          .isInstanceOfSatisfying(
              SealedValueException.class,
              e ->
                  assertThat(e.refusal())
                      .isIn(
                          SealedValueException.Refusal.TRUNCATED,
                          SealedValueException.Refusal.ALTERED));
    }
    assertRefused(
        () -> SealedValue.parse(text(java.util.Arrays.copyOf(bytes, 40)), WHAT),
        SealedValueException.Refusal.TRUNCATED);
  }

  @Test
  void refusesAValueAlteredInItsCiphertextOrEnc() {
    String text = Sealer.seal(key.publicKey(), strict("team-a", "orders", KEY_NAME), PLAINTEXT);
    byte[] bytes = SealedValue.parse(text, WHAT).toBytes();
    int headerLength = SealedValue.parse(text, WHAT).header().length;
    for (int i = headerLength; i < bytes.length; i++) {
      byte[] altered = bytes.clone();
      altered[i] ^= 0x01;
      assertRefused(
          () ->
              opener.open(
                  SealedValue.parse(text(altered), WHAT),
                  strict("team-a", "orders", KEY_NAME),
                  WHAT),
          SealedValueException.Refusal.ALTERED);
    }
  }

  @Test
  void aHeaderAlteredAnywhereNeverOpens() {
    String text = Sealer.seal(key.publicKey(), strict("team-a", "orders", KEY_NAME), PLAINTEXT);
    byte[] bytes = SealedValue.parse(text, WHAT).toBytes();
    int headerLength = SealedValue.parse(text, WHAT).header().length;
    for (int i = 0; i < headerLength; i++) {
      byte[] altered = bytes.clone();
      altered[i] ^= 0x01;
      assertThatThrownBy(
              () ->
                  opener.open(
                      SealedValue.parse(text(altered), WHAT),
                      strict("team-a", "orders", KEY_NAME),
                      WHAT))
          .as("header byte %d flipped", i)
          .isInstanceOf(SealedValueException.class);
    }
  }

  @Test
  void refusesTextThatIsNoSealedValue() {
    for (String text : new String[] {"", "plain", "msv1.", "msv1.a", "msv1.AA==", "msv2.AAAA"}) {
      assertThatThrownBy(() -> SealedValue.parse(text, WHAT))
          .as(text)
          .isInstanceOf(SealedValueException.class);
    }
    assertRefused(() -> SealedValue.parse("hunter2", WHAT), SealedValueException.Refusal.MALFORMED);
  }

  @Test
  void aSealedValueHasOneTextOnly() {
    String text = Sealer.seal(key.publicKey(), strict("team-a", "orders", KEY_NAME), PLAINTEXT);
    String body = text.substring(SealedValue.PREFIX.length());
    byte[] bytes = SealedValue.parse(text, WHAT).toBytes();
    String standard = java.util.Base64.getEncoder().encodeToString(bytes);
    String padded = java.util.Base64.getUrlEncoder().encodeToString(bytes);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // The last character with one of the bits set that encode no byte.
    int inLastGroup = body.length() % 4;
    int last = alphabet.indexOf(body.charAt(body.length() - 1));
    String stray = body.substring(0, body.length() - 1) + alphabet.charAt(last | 1);
    assertThat(inLastGroup).as("the test needs a partial last group").isIn(2, 3);
    for (String other :
        new String[] {
          "msv1." + standard,
          "msv1." + padded,
          "msv1." + stray,
          text + "\n",
          " " + text,
          "msv1. " + body
        }) {
      if (!other.equals(text)) {
        assertRefused(() -> SealedValue.parse(other, WHAT), SealedValueException.Refusal.MALFORMED);
      }
    }
    assertThat(SealedValue.parse(text, WHAT).toText()).isEqualTo(text);
  }

  @Test
  void everyRefusalNamesTheValueByItsPlaceAndHoldsNoKeyNameAndNoByteOfIt() {
    SealingBinding b = strict("team-a", "orders", KEY_NAME);
    String text = Sealer.seal(key.publicKey(), b, PLAINTEXT);
    byte[] bytes = SealedValue.parse(text, WHAT).toBytes();
    byte[] altered = bytes.clone();
    altered[bytes.length - 1] ^= 1;
    Map<String, ThrowingCallable> refusals =
        Map.of(
            "namespace",
                () ->
                    opener.open(
                        SealedValue.parse(text, WHAT), strict("x", "orders", KEY_NAME), WHAT),
            "name",
                () ->
                    opener.open(
                        SealedValue.parse(text, WHAT), strict("team-a", "x", KEY_NAME), WHAT),
            "key",
                () ->
                    opener.open(
                        SealedValue.parse(text, WHAT), strict("team-a", "orders", "x"), WHAT),
            "altered", () -> opener.open(SealedValue.parse(text(altered), WHAT), b, WHAT),
            "truncated", () -> SealedValue.parse(text(java.util.Arrays.copyOf(bytes, 20)), WHAT),
            "malformed", () -> SealedValue.parse("s3cret-canary-value", WHAT));
    refusals.forEach(
        (name, call) ->
            assertThatThrownBy(call)
                .as(name)
                .isInstanceOfSatisfying(
                    SealedValueException.class,
                    e -> {
                      assertThat(e.getMessage()).startsWith(WHAT).doesNotContain(KEY_NAME);
                      assertThat(e.getMessage()).doesNotContain("s3cret", "canary");
                      assertThat(e.error().terminal()).isTrue();
                    }));
  }

  @Test
  void formatsAndReadsBackTheSameBytes() {
    String text = Sealer.seal(key.publicKey(), strict("team-a", "orders", KEY_NAME), PLAINTEXT);
    SealedValue value = SealedValue.parse(text, WHAT);
    assertThat(value.toText()).isEqualTo(text);
    assertThat(text.length()).isLessThanOrEqualTo(SealedValue.maxTextLength(PLAINTEXT.length));
    assertThat(value.toString()).doesNotContain(KEY_NAME);
  }

  @Test
  void theLongestValueFitsTheBoundOfTheSealedFields() {
    byte[] largest = new byte[65536];
    String text =
        Sealer.seal(
            key.publicKey(),
            SealingBinding.strict("n", "m", SealingTarget.secretBinary()),
            largest);
    assertThat(text.length()).isLessThanOrEqualTo(SealedValue.maxTextLength(65536));
    assertThat(SealedValue.maxTextLength(65536)).isLessThanOrEqualTo(87600);
  }

  static String text(byte[] bytes) {
    return SealedValue.PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static SealedValueOpener.Keys keys(SealingPrivateKey key, String retiredOn) {
    return new SealedValueOpener.Keys() {
      @Override
      public boolean holds(String keyId) {
        return keyId.equals(key.keyId());
      }

      @Override
      public String retiredOn(String keyId) {
        return retiredOn;
      }

      @Override
      public SealingPrivateKey privateKey(String keyId) {
        return key;
      }
    };
  }

  private static SealedValueException assertRefused(
      ThrowingCallable call, SealedValueException.Refusal refusal) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(t).isInstanceOf(SealedValueException.class);
    assertThat(((SealedValueException) t).refusal()).isEqualTo(refusal);
    return (SealedValueException) t;
  }
}
