package dev.managedsecrets.operator.reconcile;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events about ManagedSecrets. Messages name objects and fields, never values. A
 * failed Event write is logged and ignored: Events are for people, not for correctness.
 */
public final class EventRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  static final String COMPONENT = "managedsecret-operator";

  private final KubernetesClient client;

  public EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  public void normal(HasMetadata object, EventReason reason, String message) {
    record(object, "Normal", reason.name(), message);
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
