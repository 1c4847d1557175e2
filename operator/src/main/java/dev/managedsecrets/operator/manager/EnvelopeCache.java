package dev.managedsecrets.operator.manager;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import java.time.Instant;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * Envelopes (ciphertext, never a decrypted value) of versions read from the store, kept so that
 * reading a version again costs no store read. An envelope never changes under its key: a version
 * is written once, a re-encryption writes a new envelope revision, and the key carries the record's
 * ARN (new for every record made) and the version's creation date, so a record purged and made
 * again under the same name never meets the old one's envelopes. An envelope is served only for a
 * version that the record just read lists, and opened (authenticated) on every read; it is kept
 * only once it opened. Versions that retention or a purge removes are dropped at once.
 *
 * <p>Bounded by entries and by bytes: each envelope weighs its size, and at least {@code maxBytes /
 * maxEntries}, so at most {@code maxEntries} are kept and they hold at most {@code maxBytes} (the
 * least recently used go first).
 */
public final class EnvelopeCache {

  /** The most envelopes the operator keeps: one per version in use. */
  public static final int MAX_ENTRIES = 10_000;

  /** The most bytes of envelopes the operator keeps. */
  public static final long MAX_BYTES = 64L << 20;

  /** Keeps nothing: every read goes to the store. */
  public static final EnvelopeCache NONE = new EnvelopeCache(0, 0);

  /** Where an envelope is stored: its version of its record, and the envelope's revision. */
  record Key(SecretId id, String arn, String versionId, Instant created, int revision) {}

  private final Cache<Key, byte[]> envelopes;

  /**
   * @param maxEntries the most envelopes kept; zero keeps none
   * @param maxBytes the most bytes of envelopes kept
   */
  public EnvelopeCache(int maxEntries, long maxBytes) {
    if (maxEntries <= 0 || maxBytes <= 0) {
      this.envelopes = null;
      return;
    }
    int least = (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxBytes / maxEntries));
    this.envelopes =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .<Key, byte[]>weigher((k, v) -> Math.max(least, v.length))
            // Evictions on the calling thread: no background work, and the bound holds at once.
            .executor(Runnable::run)
            .build();
  }

  static Key key(StoredSecret record, StoredVersion version) {
    return new Key(
        record.id(),
        record.arn(),
        version.versionId(),
        version.createdDate(),
        version.envelopeRevision());
  }

  /** The envelope kept for the version of the record, else what {@code read} reads (not kept). */
  byte[] get(Key key, Supplier<byte[]> read) {
    byte[] kept = envelopes == null ? null : envelopes.getIfPresent(key);
    return kept != null ? kept : read.get();
  }

  /** Keeps an envelope that opened. */
  void keep(Key key, byte[] envelope) {
    if (envelopes != null) {
      envelopes.put(key, envelope);
    }
  }

  /** Drops the envelope of a key (one that did not open). */
  void drop(Key key) {
    if (envelopes != null) {
      envelopes.invalidate(key);
    }
  }

  /** Drops the envelopes of these versions of the secret (every incarnation of its name). */
  void dropVersions(SecretId id, Collection<String> versionIds) {
    if (envelopes != null) {
      envelopes
          .asMap()
          .keySet()
          .removeIf(k -> k.id().sameName(id) && versionIds.contains(k.versionId()));
    }
  }

  /** Drops every envelope of the secret (every incarnation of its name). */
  void dropSecret(SecretId id) {
    if (envelopes != null) {
      envelopes.asMap().keySet().removeIf(k -> k.id().sameName(id));
    }
  }

  /** How many envelopes are kept now (after pending evictions). */
  long size() {
    if (envelopes == null) {
      return 0;
    }
    envelopes.cleanUp();
    return envelopes.estimatedSize();
  }
}
