package dev.managedsecrets.operator.reconcile;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events about ManagedSecrets. Messages name objects and fields, never values. A
 * failed Event write is logged and ignored: Events are for people, not for correctness.
 *
 * <p>Every Event is an API write, so what one reconcile did is told in one Event: while a {@link
 * Batch} is open on a thread, the Normal Events of the steps a reconcile always takes ({@link
 * EventReason#toldTogether()}) that thread records for the batch's object are collected, and
 * written as one when the batch closes, with the reason of the most telling of them and their
 * messages in order ("Created secret orders-db; created version ... as AWSCURRENT; created Secret
 * orders-db"). Warnings are written at once.
 */
public final class EventRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  static final String COMPONENT = "managedsecret-operator";

  private final KubernetesClient client;

  public EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  public void normal(HasMetadata object, EventReason reason, String message) {
    Batch batch = OPEN.get();
    if (batch != null && batch.holds(object) && reason.toldTogether()) {
      batch.add(reason, message);
      return;
    }
    record(object, "Normal", reason.name(), message);
  }

  /**
   * As {@link #normal}; in a batch, told before what the batch collected so far (a new secret's
   * record is told first, though it is written with its first version).
   */
  public void normalFirst(HasMetadata object, EventReason reason, String message) {
    Batch batch = OPEN.get();
    if (batch != null && batch.holds(object) && reason.toldTogether()) {
      batch.reasons.add(0, reason);
      batch.messages.add(0, message);
      return;
    }
    record(object, "Normal", reason.name(), message);
  }

  private static final ThreadLocal<Batch> OPEN = new ThreadLocal<>();

  /** The longest message of a batch's Event: Kubernetes keeps up to 1 KiB of an Event's note. */
  static final int MAX_MESSAGE = 1024;

  /**
   * Collects the Normal Events this thread records for {@code object} until the batch is closed,
   * then writes them as one. Batches do not nest: one opened inside another is its parent.
   */
  public Batch batch(HasMetadata object) {
    Batch open = OPEN.get();
    if (open != null) {
      return new Batch(object, open);
    }
    Batch batch = new Batch(object, null);
    OPEN.set(batch);
    return batch;
  }

  /** The Normal Events of one reconcile, written as one Event on {@link #close()}. */
  public final class Batch implements AutoCloseable {
    private final HasMetadata object;
    private final Batch parent;
    private final List<EventReason> reasons = new ArrayList<>();
    private final List<String> messages = new ArrayList<>();

    private Batch(HasMetadata object, Batch parent) {
      this.object = object;
      this.parent = parent;
    }

    private boolean holds(HasMetadata other) {
      String uid = object.getMetadata().getUid();
      return other == object || (uid != null && uid.equals(other.getMetadata().getUid()));
    }

    private void add(EventReason reason, String message) {
      reasons.add(reason);
      messages.add(message);
    }

    @Override
    public void close() {
      if (parent != null) {
        return; // the outer batch writes
      }
      OPEN.remove();
      if (reasons.isEmpty()) {
        return;
      }
      EventReason reason = reasons.stream().min(Comparator.naturalOrder()).orElseThrow();
      record(object, "Normal", reason.name(), message(messages));
    }
  }

  /** The messages of a batch in one: in order, joined by "; ", at most {@link #MAX_MESSAGE}. */
  static String message(List<String> messages) {
    StringBuilder out = new StringBuilder();
    for (String m : messages) {
      if (out.length() > 0 && !m.isEmpty()) {
        out.append("; ").append(Character.toLowerCase(m.charAt(0))).append(m, 1, m.length());
      } else {
        out.append(m);
      }
    }
    return out.length() <= MAX_MESSAGE
        ? out.toString()
        : out.substring(0, MAX_MESSAGE - 1) + "\u2026";
  }

  public void warning(HasMetadata object, String reason, String message) {
    record(object, "Warning", reason, message);
  }

  /**
   * A unique Event name that fits in 253 characters whatever the object's name (up to 253): the
   * object's name, cut to leave room for a random suffix, and that suffix. The Event's
   * involvedObject names the object in full.
   */
  static String eventName(String objectName) {
    String prefix =
        objectName.length() <= MAX_PREFIX ? objectName : objectName.substring(0, MAX_PREFIX);
    // A cut name may end inside a label: a DNS label ends with a letter or digit.
    prefix = prefix.replaceAll("[^a-z0-9]+$", "");
    return prefix + "." + UUID.randomUUID().toString().substring(0, 13);
  }

  /** 253, less the suffix: a dot and 13 characters. */
  private static final int MAX_PREFIX = 253 - 14;

  private void record(HasMetadata object, String type, String reason, String message) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    var event =
        new EventBuilder()
            .withNewMetadata()
            .withName(eventName(object.getMetadata().getName()))
            .withNamespace(object.getMetadata().getNamespace())
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion(object.getApiVersion())
                    .withKind(object.getKind())
                    .withName(object.getMetadata().getName())
                    .withNamespace(object.getMetadata().getNamespace())
                    .withUid(object.getMetadata().getUid())
                    .withResourceVersion(object.getMetadata().getResourceVersion())
                    .build())
            .withType(type)
            .withReason(reason)
            .withMessage(message)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .withReportingComponent(COMPONENT)
            .build();
    try {
      client
          .v1()
          .events()
          .inNamespace(object.getMetadata().getNamespace())
          .resource(event)
          .create();
    } catch (KubernetesClientException e) {
      LOG.warn(
          "Could not write Event {} for {}: {}",
          reason,
          object.getMetadata().getName(),
          e.getCode());
    }
  }
}
