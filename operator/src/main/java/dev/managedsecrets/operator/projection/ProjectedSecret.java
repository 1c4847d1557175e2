package dev.managedsecrets.operator.projection;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.names.Names;
import dev.managedsecrets.core.projection.Projection;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The projected native Secret as a Kubernetes object: the one the operator wants for a version, and
 * whether a live one still holds it, told by the keyed checksum rather than by decrypting.
 */
public final class ProjectedSecret {

  private final Projection projection;

  public ProjectedSecret(Projection projection) {
    this.projection = projection;
  }

  /** The Secret the operator wants for this ManagedSecret, version and data. */
  public Secret desired(ManagedSecret ms, String versionId, Map<String, byte[]> data) {
    Map<String, String> encoded = new TreeMap<>();
    data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v)));
    Map<String, String> annotations = Projection.annotations(ms, versionId);
    annotations.put(Projection.CHECKSUM_ANNOTATION, projection.checksum(ms, versionId, encoded));
    return new SecretBuilder()
        .withNewMetadata()
        .withName(Names.targetName(ms))
        .withNamespace(ms.getMetadata().getNamespace())
        .withLabels(Projection.labels(ms))
        .withAnnotations(annotations)
        .withOwnerReferences(ownerReference(ms))
        .endMetadata()
        .withType(Projection.type(ms))
        .withData(encoded)
        .build();
  }

  /**
   * True when the live Secret holds exactly what was projected for this version and spec: its
   * checksum covers the version, the target's shape and the data as it is now.
   */
  public boolean upToDate(Secret live, ManagedSecret ms, String versionId) {
    Map<String, String> liveAnnotations = live.getMetadata().getAnnotations();
    if (liveAnnotations == null) {
      return false;
    }
    String expected =
        projection.checksum(
            ms, versionId, live.getData() == null ? Map.of() : new TreeMap<>(live.getData()));
    return KeyedHash.same(expected, liveAnnotations.get(Projection.CHECKSUM_ANNOTATION))
        && Objects.equals(Projection.type(ms), live.getType())
        && containsAll(live.getMetadata().getLabels(), Projection.labels(ms))
        && containsAll(liveAnnotations, Projection.annotations(ms, versionId))
        && ownedBy(live, ms);
  }

  /** True when the Secret has this ManagedSecret as its controller. */
  public static boolean ownedBy(Secret secret, ManagedSecret ms) {
    return secret.getMetadata().getOwnerReferences() != null
        && secret.getMetadata().getOwnerReferences().stream()
            .anyMatch(
                r ->
                    Boolean.TRUE.equals(r.getController())
                        && Objects.equals(r.getUid(), ms.getMetadata().getUid()));
  }

  /** True when the Secret says it is managed by this operator, whoever its owner is. */
  public static boolean managedByUs(Secret secret) {
    Map<String, String> labels = secret.getMetadata().getLabels();
    return labels != null && Projection.MANAGED_BY.equals(labels.get(Projection.MANAGED_BY_LABEL));
  }

  static OwnerReference ownerReference(ManagedSecret ms) {
    return new OwnerReferenceBuilder()
        .withApiVersion(ms.getApiVersion())
        .withKind(ms.getKind())
        .withName(ms.getMetadata().getName())
        .withUid(ms.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  private static boolean containsAll(Map<String, String> live, Map<String, String> wanted) {
    if (live == null) {
      return wanted.isEmpty();
    }
    for (Map.Entry<String, String> e : wanted.entrySet()) {
      if (!Objects.equals(live.get(e.getKey()), e.getValue())) {
        return false;
      }
    }
    return true;
  }
}
