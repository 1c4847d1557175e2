package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;

/**
 * Values written into the store by someone other than the reconciler (the Secrets Manager
 * endpoint): each write asks for a reconcile of its ManagedSecret at once, which projects the new
 * AWSCURRENT. No object is written to ask: a spec changes only when its author changes it.
 */
public final class StoreWrites {

  static final String SOURCE = "store-writes";

  private final SimpleInboundEventSource<ManagedSecret> source =
      new SimpleInboundEventSource<>(SOURCE);

  /** Reconciles the ManagedSecret {@code namespace/name} soon; nothing before the operator runs. */
  public void written(String namespace, String name) {
    if (source.isRunning()) {
      source.propagateEvent(new ResourceID(name, namespace));
    }
  }

  SimpleInboundEventSource<ManagedSecret> eventSource() {
    return source;
  }
}
