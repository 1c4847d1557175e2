package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
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
 * has one). The operator's own Secrets and service account tokens are refused ({@link
 * OperatorSecrets}) before any byte of them is decoded.
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
              + " seconds.");
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
    Map<String, byte[]> data = new HashMap<>();
    if (source.getData() != null) {
      source.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
    }
    if (source.getStringData() != null) {
      source.getStringData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
    }
    return data;
  }

  /** How long until a ManagedSecret is reconciled again, or null for no poll. */
  Duration pollAfter(ManagedSecret ms) {
    return ms.getSpec() != null && ms.getSpec().fromSecret != null ? pollInterval : null;
  }
}
