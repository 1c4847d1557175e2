package dev.managedsecrets.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class KeyedHashTest {

  private static byte[] key(int fill) {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) fill);
    return k;
  }

  private final KeyedHash hash = new KeyedHash(key(7));

  @Test
  void sameInputGivesSameHashAcrossInstancesWithTheSameKey() {
    KeyedHash again = new KeyedHash(key(7));

    assertThat(hash.hash("value/v1", "ns", "name", "payload"))
        .isEqualTo(hash.hash("value/v1", "ns", "name", "payload"))
        .isEqualTo(again.hash("value/v1", "ns", "name", "payload"));
  }

  @Test
  void stringAndByteFormsOfTheSamePartsHashAlike() {
    assertThat(hash.hash("d", "a", "b"))
        .isEqualTo(
            hash.hash(
                "d", "a".getBytes(StandardCharsets.UTF_8), "b".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void hashIsUnpaddedBase64UrlOfA256BitMac() {
    String h = hash.hash("d", "x");

    assertThat(h).doesNotContain("=", "+", "/");
    assertThat(Base64.getUrlDecoder().decode(h)).hasSize(32);
  }

  @Test
  void differentKeyGivesDifferentHash() {
    assertThat(new KeyedHash(key(8)).hash("d", "x")).isNotEqualTo(hash.hash("d", "x"));
  }

  @Test
  void differentDomainGivesDifferentHash() {
    assertThat(hash.hash("input/v1", "x")).isNotEqualTo(hash.hash("value/v1", "x"));
  }

  @Test
  void differentPartGivesDifferentHash() {
    assertThat(hash.hash("d", "ns", "a")).isNotEqualTo(hash.hash("d", "ns", "b"));
    assertThat(hash.hash("d", "ns", "a")).isNotEqualTo(hash.hash("d", "ns2", "a"));
  }

  @Test
  void lengthPrefixingKeepsPartBoundaries() {
    assertThat(hash.hash("d", "ab", "c")).isNotEqualTo(hash.hash("d", "a", "bc"));
    assertThat(hash.hash("d", "abc")).isNotEqualTo(hash.hash("d", "ab", "c"));
    assertThat(hash.hash("da", "b")).isNotEqualTo(hash.hash("d", "ab"));
  }

  @Test
  void anEmptyPartIsNotTheSameAsNoPart() {
    assertThat(hash.hash("d", "a", "")).isNotEqualTo(hash.hash("d", "a"));
  }

  @Test
  void aNullStringPartHashesAsEmpty() {
    assertThat(hash.hash("d", "a", null)).isEqualTo(hash.hash("d", "a", ""));
  }

  @Test
  void keysShorterThan256BitsAreRefused() {
    assertThatThrownBy(() -> new KeyedHash(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sameComparesHashesByContent() {
    String a = hash.hash("d", "x");
    String b = new String(hash.hash("d", "x").toCharArray());

    assertThat(a).isNotSameAs(b);
    assertThat(KeyedHash.same(a, b)).isTrue();
    assertThat(KeyedHash.same(a, hash.hash("d", "y"))).isFalse();
    assertThat(KeyedHash.same(a, a.substring(0, a.length() - 1))).isFalse();
    assertThat(KeyedHash.same(a, a + "A")).isFalse();
    assertThat(KeyedHash.same("", "")).isTrue();
  }

  @Test
  void sameIsFalseWhenEitherSideIsNull() {
    assertThat(KeyedHash.same(null, "x")).isFalse();
    assertThat(KeyedHash.same("x", null)).isFalse();
    assertThat(KeyedHash.same(null, null)).isFalse();
  }

  @Test
  void aDerivedKeyIsHkdfExpandOfTheLabelAndHashesUnlikeTheKeyItCameFrom() throws Exception {
    byte[] key = new byte[32];
    key[0] = 7;
    KeyedHash hash = new KeyedHash(key);
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
    mac.update("purpose".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    mac.update((byte) 1);

    KeyedHash derived = hash.derive("purpose");

    assertThat(derived.hash("d", "p")).isEqualTo(new KeyedHash(mac.doFinal()).hash("d", "p"));
    assertThat(derived.hash("d", "p")).isNotEqualTo(hash.hash("d", "p"));
    assertThat(hash.derive("other").hash("d", "p")).isNotEqualTo(derived.hash("d", "p"));
  }
}
