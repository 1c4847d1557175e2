package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.rotation.WebhookSettings;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.operator.rotation.WebhookRotation;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Where a ManagedSecret's rotation function is: the Service its spec names, read from the API
 * server in the ManagedSecret's own namespace (never another), connected to at its cluster IP and
 * the port the spec names, and verified by the Service's DNS name {@code <name>.<namespace>.svc}.
 * The operator needs no cluster DNS for it, as for the API server. A headless Service (no cluster
 * IP) and an ExternalName Service (a name outside the cluster, chosen by the tenant) are refused.
 */
final class WebhookTargets {

  private WebhookTargets() {}

  /**
   * The key that bounds how many rotations one function serves at once (as a database host bounds
   * the database strategies'): its Service, by namespace and name.
   */
  static String slotKey(ManagedSecret ms) {
    return "service "
        + ms.getMetadata().getNamespace()
        + "/"
        + WebhookSettings.of(ms.getSpec()).service();
  }

  /**
   * The function's target.
   *
   * @throws SecretsManagerException InvalidRequestException: the Service can't be used (missing,
   *     headless, ExternalName, without the port, or not readable by the operator)
   */
  static WebhookRotation.Target resolve(ManagedSecret ms, KubernetesClient client) {
    WebhookSettings w = WebhookSettings.of(ms.getSpec());
    String namespace = ms.getMetadata().getNamespace();
    String named = "Service " + namespace + "/" + w.service();
    Service service;
    try {
      service = client.services().inNamespace(namespace).withName(w.service()).get();
    } catch (KubernetesClientException e) {
      throw unusable(
          e.getCode() == 403
              ? "the operator may not read "
                  + named
                  + ": install the chart with"
                  + " webhookRotation.enabled=true, which grants get on services"
              : named + " could not be read (HTTP " + e.getCode() + ")");
    }
    if (service == null || service.getSpec() == null) {
      throw unusable(named + " of spec.rotation.webhook.service does not exist");
    }
    var spec = service.getSpec();
    if ("ExternalName".equals(spec.getType())) {
      throw unusable(
          named + " is of type ExternalName: the function must be served in the cluster");
    }
    String address = spec.getClusterIP();
    if (address == null || address.isEmpty() || "None".equals(address)) {
      throw unusable(
          named + " has no cluster IP (headless): give the function a ClusterIP Service");
    }
    boolean hasPort =
        spec.getPorts() != null
            && spec.getPorts().stream()
                .anyMatch(p -> p.getPort() != null && p.getPort() == w.port());
    if (!hasPort) {
      throw unusable(named + " has no port " + w.port() + " (spec.rotation.webhook.service.port)");
    }
    return new WebhookRotation.Target(
        address, w.port(), w.path(), w.dnsName(namespace), w.caBundle());
  }

  private static SecretsManagerException unusable(String why) {
    return new SecretsManagerException(
        AwsError.INVALID_REQUEST_EXCEPTION, "The rotation function can't be called: " + why + ".");
  }
}
