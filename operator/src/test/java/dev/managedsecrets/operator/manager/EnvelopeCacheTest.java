package dev.managedsecrets.operator.manager;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.core.secret.SecretId;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvelopeCacheTest {

  static final SecretId ID = new SecretId("team-a", "prod/db").in("uid-team-a");
  static final Instant CREATED = Instant.parse("2026-12-06T00:00:00Z");

  static EnvelopeCache.Key key(SecretId id, String versionId) {
    return new EnvelopeCache.Key(id, "arn:x", versionId, CREATED, 0);
  }

  static byte[] read(EnvelopeCache cache, EnvelopeCache.Key key) {
    return cache.get(key, () -> null);
  }

  @Test
  void atMostMaxEntriesEnvelopesAreKeptHoweverSmall() {
    EnvelopeCache cache = new EnvelopeCache(10, 1 << 20);
    for (int i = 0; i < 100; i++) {
      cache.keep(key(ID, "v" + i), new byte[16]);
    }
    assertThat(cache.size()).isEqualTo(10);
  }

  @Test
  void atMostMaxBytesOfEnvelopesAreKeptHoweverFew() {
    EnvelopeCache cache = new EnvelopeCache(1000, 100_000);
    for (int i = 0; i < 10; i++) {
      cache.keep(key(ID, "v" + i), new byte[30_000]);
    }
    assertThat(cache.size()).isEqualTo(3);
  }

  @Test
  void aKeptEnvelopeIsServedWithoutReadingAndAMissReadsWithoutKeeping() {
    EnvelopeCache cache = new EnvelopeCache(10, 1 << 20);
    byte[] envelope = {1, 2, 3};
    assertThat(cache.get(key(ID, "v1"), () -> envelope)).isSameAs(envelope);
    assertThat(read(cache, key(ID, "v1"))).isNull();
    cache.keep(key(ID, "v1"), envelope);
    assertThat(read(cache, key(ID, "v1"))).isSameAs(envelope);
    // Another record under the same name and version id (made again: another ARN) meets none.
    assertThat(read(cache, new EnvelopeCache.Key(ID, "arn:y", "v1", CREATED, 0))).isNull();
    // Another envelope revision (re-encrypted) meets none.
    assertThat(read(cache, new EnvelopeCache.Key(ID, "arn:x", "v1", CREATED, 1))).isNull();
  }

  @Test
  void droppedVersionsAndSecretsAreNotServedAfterwardsAndOthersAre() {
    EnvelopeCache cache = new EnvelopeCache(10, 1 << 20);
    SecretId other = new SecretId("team-a", "other").in("uid-team-a");
    SecretId otherIncarnation = new SecretId("team-a", "prod/db").in("uid-earlier");
    cache.keep(key(ID, "v1"), new byte[] {1});
    cache.keep(key(ID, "v2"), new byte[] {2});
    cache.keep(key(other, "v1"), new byte[] {3});
    cache.keep(key(otherIncarnation, "v9"), new byte[] {4});
    cache.dropVersions(ID, List.of("v1"));
    assertThat(read(cache, key(ID, "v1"))).isNull();
    assertThat(read(cache, key(ID, "v2"))).isNotNull();
    assertThat(read(cache, key(other, "v1"))).isNotNull();
    cache.dropSecret(ID);
    assertThat(read(cache, key(ID, "v2"))).isNull();
    assertThat(read(cache, key(otherIncarnation, "v9"))).isNull();
    assertThat(read(cache, key(other, "v1"))).isNotNull();
  }

  @Test
  void noneKeepsNothing() {
    EnvelopeCache.NONE.keep(key(ID, "v1"), new byte[] {1});
    assertThat(read(EnvelopeCache.NONE, key(ID, "v1"))).isNull();
    assertThat(EnvelopeCache.NONE.size()).isZero();
  }
}
