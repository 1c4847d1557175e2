package dev.managedsecrets.operator.sealing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.core.sealing.PublishedSealingKeys;
import dev.managedsecrets.core.sealing.SealingPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stored sealing keys: which is current, when a new one is due, retirement, publication. */
class SealingKeyringTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration MONTH = Duration.ofDays(30);

  private static SealingKeyring.StoredKey key(Instant created) {
    SealingPrivateKey k = SealingPrivateKey.generate();
    try {
      return new SealingKeyring.StoredKey(
          k.keyId(),
          created,
          null,
          Base64.getEncoder().encodeToString(k.publicKey().raw()),
          Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}));
    } finally {
      k.destroy();
    }
  }

  @Test
  void aNewKeyIsDueWithoutAKeyInUseOrWhenTheCurrentOneIsAsOldAsTheInterval() {
    assertThat(SealingKeyring.EMPTY.renewalDue(T0, MONTH)).isTrue();
    SealingKeyring one = SealingKeyring.EMPTY.with(key(T0));
    assertThat(one.renewalDue(T0.plus(MONTH).minusSeconds(1), MONTH)).isFalse();
    assertThat(one.renewalDue(T0.plus(MONTH), MONTH)).isTrue();
  }

  @Test
  void theNewestKeyNotRetiredIsCurrentAndEveryKeyIsKept() {
    SealingKeyring.StoredKey old = key(T0);
    SealingKeyring.StoredKey renewed = key(T0.plus(MONTH));
    SealingKeyring ring = SealingKeyring.EMPTY.with(old).with(renewed);
    assertThat(ring.current()).contains(renewed);
    assertThat(ring.keys()).containsExactly(renewed, old);

    SealingKeyring retired = ring.retire(List.of(renewed.keyId()), T0.plus(MONTH.multipliedBy(2)));
    assertThat(retired.current()).contains(old);
    assertThat(retired.find(renewed.keyId()).orElseThrow().retiredDate())
        .isEqualTo(T0.plus(MONTH.multipliedBy(2)));
    assertThat(retired.keys()).hasSize(2);
  }

  @Test
  void aKeyRetiredAgainKeepsItsFirstRetirementDate() {
    SealingKeyring.StoredKey k = key(T0);
    SealingKeyring once =
        SealingKeyring.EMPTY.with(k).retire(List.of(k.keyId()), T0.plusSeconds(1));
    SealingKeyring twice = once.retire(List.of(k.keyId()), T0.plusSeconds(99));
    assertThat(twice).isEqualTo(once);
    assertThat(twice.current()).isEmpty();
    assertThat(twice.renewalDue(T0.plusSeconds(99), MONTH)).isTrue();
  }

  @Test
  void thePublishedKeysHoldIdsDatesAndPublicKeysOnly() {
    SealingKeyring.StoredKey old = key(T0);
    SealingKeyring.StoredKey current = key(T0.plus(MONTH));
    SealingKeyring ring =
        SealingKeyring.EMPTY.with(old).with(current).retire(List.of(old.keyId()), T0.plus(MONTH));

    PublishedSealingKeys published = ring.published();
    assertThat(published.currentKeyId()).isEqualTo(current.keyId());
    assertThat(published.key(old.keyId()).orElseThrow().retiredDate()).isEqualTo(T0.plus(MONTH));
    String json = published.toJson();
    assertThat(json).doesNotContain(old.wrappedPrivateKey(), "wrapped", "PRIVATE");
    assertThat(PublishedSealingKeys.parse(json)).isEqualTo(published);
  }

  @Test
  void itsJsonReadsBackTheSameKeys() {
    SealingKeyring ring = SealingKeyring.EMPTY.with(key(T0)).with(key(T0.plus(MONTH)));
    assertThat(SealingKeyring.fromJson(ring.toJson())).isEqualTo(ring);
  }
}
