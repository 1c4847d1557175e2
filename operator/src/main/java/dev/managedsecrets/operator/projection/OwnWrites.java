package dev.managedsecrets.operator.projection;

import dev.managedsecrets.core.projection.Projection;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Projected Secrets the operator is writing right now. The API server sends the watch event of a
 * write before the write's own answer reaches the operator, so the informer can see the new Secret
 * before java-operator-sdk is told (through handleRecentResourceCreate/Update) that the operator
 * made it; without this the event would trigger one more reconcile of the ManagedSecret per write.
 * An event is the operator's own while the write is in flight and the Secret carries the checksum
 * the operator wrote; any other change of the Secret still triggers a reconcile.
 */
final class OwnWrites {

  private final Map<ResourceID, String> inFlight = new ConcurrentHashMap<>();

  /** Runs {@code write} of {@code secret}, marking it in flight until the write has returned. */
  <T> T write(Secret secret, Supplier<T> write) {
    ResourceID id = ResourceID.fromResource(secret);
    String checksum = checksum(secret);
    if (checksum == null) {
      return write.get();
    }
    inFlight.put(id, checksum);
    try {
      return write.get();
    } finally {
      inFlight.remove(id, checksum);
    }
  }

  /** Whether {@code secret} is the result of a write of this operator still in flight. */
  boolean isOwn(Secret secret) {
    String checksum = checksum(secret);
    return checksum != null && checksum.equals(inFlight.get(ResourceID.fromResource(secret)));
  }

  private static String checksum(Secret secret) {
    Map<String, String> annotations = secret.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(Projection.CHECKSUM_ANNOTATION);
  }
}
