package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Values written into the store by someone other than the reconciler (the Secrets Manager
 * endpoint): each write asks for a reconcile of its ManagedSecret at once, which projects the new
 * AWSCURRENT. On the replica that leads (or without leader election) no object is written to ask. A
 * replica that does not lead cannot reconcile, and the leader learns of a store write from no watch
 * of its own: it stamps the annotation {@value #STORE_WRITTEN} with the time of the write, whose
 * new value starts a reconcile on the leader ({@link ManagedSecretUpdates}), so the value is
 * projected at once wherever it was written.
 */
public final class StoreWrites {

  /** The annotation a replica that does not lead stamps on a ManagedSecret whose value it wrote. */
  public static final String STORE_WRITTEN = "managedsecrets.dev/store-written";

  static final String SOURCE = "store-writes";

  private static final Logger LOG = LoggerFactory.getLogger(StoreWrites.class);

  private final SimpleInboundEventSource<ManagedSecret> source =
      new SimpleInboundEventSource<>(SOURCE);
  private final KubernetesClient client;
  private final BooleanSupplier leading;
  private final Clock clock;

  /**
   * @param client the operator's client, to stamp the annotation when this replica does not lead
   * @param leading whether this replica reconciles now
   */
  public StoreWrites(KubernetesClient client, BooleanSupplier leading, Clock clock) {
    this.client = client;
    this.leading = leading;
    this.clock = clock;
  }

  /** Reconciles the ManagedSecret {@code namespace/name} soon; nothing before the operator runs. */
  public void written(String namespace, String name) {
    if (leading.getAsBoolean()) {
      if (source.isRunning()) {
        source.propagateEvent(new ResourceID(name, namespace));
      }
      return;
    }
    try {
      client
          .resources(ManagedSecret.class)
          .inNamespace(namespace)
          .withName(name)
          .edit(
              ms -> {
                Map<String, String> annotations =
                    ms.getMetadata().getAnnotations() == null
                        ? new HashMap<>()
                        : new HashMap<>(ms.getMetadata().getAnnotations());
                annotations.put(STORE_WRITTEN, clock.instant().toString());
                ms.getMetadata().setAnnotations(annotations);
                return ms;
              });
    } catch (KubernetesClientException e) {
      // The value is stored; the leader projects it at its next resync of the object.
      LOG.warn(
          "Could not tell the leader that ManagedSecret {}/{} has a new value: {}",
          namespace,
          name,
          e.getMessage());
    }
  }

  SimpleInboundEventSource<ManagedSecret> eventSource() {
    return source;
  }
}
