package dev.managedsecrets.core.rotation;

import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.WebhookService;
import dev.managedsecrets.api.v1alpha1.WebhookSpec;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.util.regex.Pattern;

/**
 * The rotation function of the webhook strategy, checked as the CRD checks it: a Service of the
 * ManagedSecret's own namespace by name (a DNS-1035 label), a port, an absolute path, and a bounded
 * PEM CA bundle. There is nothing to name another namespace or a URL with.
 *
 * @param service the Service's name
 * @param port the Service's port (default 443)
 * @param path the path the steps are POSTed to (default /)
 * @param caBundle the PEM certificates that verify the function's serving certificate
 */
public record WebhookSettings(String service, int port, String path, String caBundle) {

  private static final Pattern NAME = Pattern.compile(WebhookService.NAME);
  private static final Pattern PATH = Pattern.compile(WebhookService.PATH);

  /**
   * The settings of {@code spec.rotation.webhook}.
   *
   * @throws SecretsManagerException InvalidParameterException naming the field that is missing or
   *     out of bounds
   */
  public static WebhookSettings of(ManagedSecretSpec spec) {
    WebhookSpec w = spec.rotation == null ? null : spec.rotation.webhook;
    if (w == null || w.service == null || w.service.name == null) {
      throw SecretsManagerException.invalidParameter(
          "The webhook strategy needs spec.rotation.webhook: service.name (a Service in this"
              + " namespace) and caBundle (the PEM CA of its serving certificate).");
    }
    WebhookService s = w.service;
    if (s.name.length() > 63 || !NAME.matcher(s.name).matches()) {
      throw SecretsManagerException.invalidParameter(
          "spec.rotation.webhook.service.name must be a Service's name in this namespace (a"
              + " DNS-1035 label of at most 63 characters).");
    }
    int port = s.port == null ? WebhookService.DEFAULT_PORT : s.port;
    if (port < 1 || port > 65535) {
      throw SecretsManagerException.invalidParameter(
          "spec.rotation.webhook.service.port must be 1-65535.");
    }
    String path = s.path == null ? WebhookService.DEFAULT_PATH : s.path;
    if (path.length() > WebhookService.MAX_PATH || !PATH.matcher(path).matches()) {
      throw SecretsManagerException.invalidParameter(
          "spec.rotation.webhook.service.path must be an absolute path of at most 1024 URI"
              + " characters, without a query.");
    }
    if (w.caBundle == null
        || w.caBundle.isBlank()
        || w.caBundle.length() > WebhookSpec.MAX_CA_BUNDLE) {
      throw SecretsManagerException.invalidParameter(
          "spec.rotation.webhook.caBundle must hold the PEM CA certificates of the function's"
              + " serving certificate, at most 16384 characters.");
    }
    return new WebhookSettings(s.name, port, path, w.caBundle);
  }

  /** The Service's DNS name in {@code namespace}, which its certificate must carry. */
  public String dnsName(String namespace) {
    return service + "." + namespace + ".svc";
  }
}
