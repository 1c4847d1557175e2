package dev.managedsecrets.operator.endpoint;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's view of the issuing keys that every replica shares ({@link Source}): read again at
 * the first use {@link #REFRESH} after the last read (so a replica has read a new key before it
 * issues, {@link IssuingKeys#AHEAD} after it was written), and rotated at the first credentials
 * request after a rotation is due. A rotation writes the ring only if no other replica wrote it
 * since it was read; one that lost adopts the ring that won, so replicas rotating at once end with
 * one new key. Nothing is written while nothing is due: an idle endpoint makes no write.
 */
final class IssuingKeyRing {

  private static final Logger LOG = LoggerFactory.getLogger(IssuingKeyRing.class);

  /** How long a replica uses the ring it read before it reads it again. */
  static final Duration REFRESH = Duration.ofMinutes(1);

  /** Where the ring is kept, with a version that a write must name (a resourceVersion). */
  interface Source {

    /** The ring as kept, and its version; null when there is none. */
    Stored read();

    /**
     * Writes {@code keys} if the kept ring is still at {@code version} (null: if there is none).
     *
     * @return the ring written and its new version; null when another writer came first
     */
    Stored write(IssuingKeys keys, String version);
  }

  /** A ring as kept, at a version. */
  record Stored(IssuingKeys keys, String version) {}

  private final Source source;
  private final Duration interval;
  private final Clock clock;
  private Stored stored;
  private Instant read;

  IssuingKeyRing(Source source, Duration interval, Clock clock) {
    this.source = source;
    this.interval = interval;
    this.clock = clock;
  }

  /** The key to issue with now, rotating the ring first when a rotation is due. */
  synchronized IssuingKeys.Key issuing() {
    Instant now = clock.instant();
    current(now);
    if (stored == null || stored.keys().due(now, interval)) {
      rotate(now);
    }
    return stored.keys().issuing(now).orElseThrow();
  }

  /** The key {@code id}, if it still verifies now. */
  synchronized Optional<IssuingKeys.Key> verifying(String id) {
    Instant now = clock.instant();
    current(now);
    return stored == null ? Optional.empty() : stored.keys().verifying(id, now);
  }

  /** Reads the ring again when the last read is {@link #REFRESH} old. */
  private void current(Instant now) {
    if (read != null && now.isBefore(read.plus(REFRESH))) {
      return;
    }
    try {
      Stored found = source.read();
      if (found != null || stored == null) {
        stored = found;
      } else {
        // The kept ring is gone (deleted to revoke every credential): the next issue makes one.
        stored = new Stored(IssuingKeys.empty(), null);
      }
    } catch (RuntimeException e) {
      if (stored == null) {
        throw e;
      }
      LOG.warn(
          "Could not read the issuing keys again; using those read at {}: {}", read, e.toString());
    }
    read = now;
  }

  private void rotate(Instant now) {
    IssuingKeys before = stored == null ? IssuingKeys.empty() : stored.keys();
    Stored written = source.write(before.rotated(now), stored == null ? null : stored.version());
    if (written == null) {
      written = source.read();
      if (written == null) {
        throw new IllegalStateException("the issuing keys were written and are gone");
      }
    } else {
      LOG.info(
          "Rotated the key pod credentials are issued with ({} keys verify)",
          written.keys().keys().size());
    }
    stored = written;
    read = now;
  }
}
