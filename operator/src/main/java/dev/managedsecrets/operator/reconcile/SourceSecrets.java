package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.value.ValueSize;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the Secret a ManagedSecret's fromSecret names, in its own namespace, by name (never by
 * listing), at each reconcile (the ManagedSecret is reconciled again every poll interval while it
 * has one, and at once when a source labelled {@value SourceSecretEvents#LABEL}=true changes:
 * {@link SourceSecretEvents}). The operator's own Secrets and service account tokens are refused
 * ({@link OperatorSecrets}) before any byte of them is decoded.
 */
final class SourceSecrets {

  private final Duration pollInterval;
  private final OperatorSecrets operatorSecrets;

  SourceSecrets(Duration pollInterval, OperatorSecrets operatorSecrets) {
    this.pollInterval = pollInterval;
    this.operatorSecrets = operatorSecrets;
  }

  /** The source's keys and bytes, or null when the ManagedSecret has no fromSecret. */
  Map<String, byte[]> read(ManagedSecret ms, KubernetesClient client) {
    if (ms.getSpec() == null || ms.getSpec().fromSecret == null) {
      return null;
    }
    String namespace = ms.getMetadata().getNamespace();
    String name = ms.getSpec().fromSecret.name;
    Secret source = client.secrets().inNamespace(namespace).withName(name).get();
    if (source == null) {
      throw new SecretsManagerException(
          AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
          "Secret "
              + name
              + " was not found in namespace "
              + namespace
              + " (fromSecret). It is checked again every "
              + pollInterval.toSeconds()
              + " seconds, and at once when a Secret labelled "
              + SourceSecretEvents.LABEL
              + "=true appears.");
    }
    String refused = operatorSecrets.what(source);
    if (refused != null) {
      throw new SecretsManagerException(
          AwsError.ACCESS_DENIED_EXCEPTION,
          "Secret "
              + name
              + " in namespace "
              + namespace
              + " is "
              + refused
              + ": the operator never reads it as a value (fromSecret). Name a Secret of your"
              + " own.");
    }
    return taken(source, ms.getSpec().fromSecret.key);
  }

  /**
   * What the value takes from the source: the one key named (its other keys are never decoded), or
   * every key. Its size is counted from the encoded data first, and a source larger than a value
   * may be is refused before any byte of it is decoded or copied.
   */
  static Map<String, byte[]> taken(Secret source, String key) {
    Map<String, String> encoded = only(source.getData(), key);
    Map<String, String> text = only(source.getStringData(), key);
    long size = 0;
    for (Map.Entry<String, String> e : encoded.entrySet()) {
      size += (key == null ? e.getKey().length() : 0) + ValueSize.decodedLength(e.getValue());
    }
    for (Map.Entry<String, String> e : text.entrySet()) {
      size +=
          (key == null ? e.getKey().length() : 0)
              + ValueSize.utf8Length(e.getValue(), 0, e.getValue().length());
    }
    ValueSize.requireSource(source.getMetadata().getName(), size);
    Map<String, byte[]> data = new HashMap<>();
    encoded.forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
    text.forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
    return data;
  }

  /** The entries of {@code all} taken: the one of {@code key}, or every one when key is null. */
  private static Map<String, String> only(Map<String, String> all, String key) {
    if (all == null) {
      return Map.of();
    }
    if (key == null) {
      return all;
    }
    return all.containsKey(key) ? Map.of(key, all.get(key)) : Map.of();
  }

  /** How often a source is read again. */
  Duration pollInterval() {
    return pollInterval;
  }

  /** How long until a ManagedSecret is reconciled again, or null for no poll. */
  Duration pollAfter(ManagedSecret ms) {
    return ms.getSpec() != null && ms.getSpec().fromSecret != null ? pollInterval : null;
  }
}
