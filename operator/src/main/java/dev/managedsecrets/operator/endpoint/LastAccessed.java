package dev.managedsecrets.operator.endpoint;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The date a secret's value was last read (GetSecretValue, BatchGetSecretValue), as AWS keeps it: a
 * day, shown as its midnight UTC. It lives in the annotation {@value #ANNOTATION} of the
 * ManagedSecret, which DescribeSecret and ListSecrets read anyway; a merge patch of the metadata
 * changes no spec and no generation, so it starts no reconcile. The first read of a day writes it,
 * once: a read on a day already recorded (in the object, or by this replica) writes nothing.
 */
final class LastAccessed {

  static final String ANNOTATION = "managedsecrets.dev/last-accessed-date";

  private static final Logger LOG = LoggerFactory.getLogger(LastAccessed.class);

  private final ManagedSecretObjects objects;
  private final Clock clock;

  /** The ManagedSecrets (by uid) this replica recorded today: at most one write each a day. */
  private final Map<String, LocalDate> recorded = new ConcurrentHashMap<>();

  LastAccessed(ManagedSecretObjects objects, Clock clock) {
    this.objects = objects;
    this.clock = clock;
  }

  /** The recorded date of {@code ms}, as midnight UTC; null when none is (or it is no date). */
  static Instant of(ManagedSecret ms) {
    LocalDate day = day(ms);
    return day == null ? null : day.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  private static LocalDate day(ManagedSecret ms) {
    Map<String, String> annotations = ms == null ? null : ms.getMetadata().getAnnotations();
    String text = annotations == null ? null : annotations.get(ANNOTATION);
    try {
      return text == null ? null : LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Records that the value of {@code ms} was read now; a failure to record fails no read. */
  void read(ManagedSecret ms) {
    if (ms == null) {
      return;
    }
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    Map<String, String> annotations = ms.getMetadata().getAnnotations();
    if (annotations != null && today.toString().equals(annotations.get(ANNOTATION))) {
      return; // recorded today (the annotation's own form: no parse on every read)
    }
    recorded.values().removeIf(d -> !d.equals(today));
    if (today.equals(recorded.put(ms.getMetadata().getUid(), today))) {
      return;
    }
    try {
      objects.annotate(ms, ANNOTATION, today.toString());
    } catch (AwsException e) {
      recorded.remove(ms.getMetadata().getUid(), today);
      LOG.warn(
          "Could not record the last access of ManagedSecret {}/{}",
          ms.getMetadata().getNamespace(),
          ms.getMetadata().getName());
    }
  }
}
