package dev.managedsecrets.cli.seal;

import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.kube.Kube;
import dev.managedsecrets.core.sealing.PublishedSealingKeys;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The sealing public keys the operator publishes in the ConfigMap {@value
 * PublishedSealingKeys#CONFIG_MAP} of its namespace, which every authenticated user may read.
 */
public final class PublishedKeys {

  private PublishedKeys() {}

  /**
   * Reads them.
   *
   * @throws CliException exit code 255 when none are published or they cannot be read, saying why:
   *     nothing is sealed (or written) then
   */
  public static PublishedSealingKeys fetch(Kube kube, String operatorNamespace) {
    String where = "ConfigMap " + operatorNamespace + "/" + PublishedSealingKeys.CONFIG_MAP;
    ConfigMap map;
    try {
      map =
          kube.client()
              .configMaps()
              .inNamespace(operatorNamespace)
              .withName(PublishedSealingKeys.CONFIG_MAP)
              .get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        throw new CliException(
            CliException.GENERAL,
            "error: you may not read "
                + where
                + ", where the operator publishes its sealing public keys (the chart lets every"
                + " authenticated user get it). Nothing was written. Seal offline with --cert FILE"
                + " from someone who can (kubectl managedsecret fetch-cert).");
      }
      throw e;
    }
    if (map == null
        || map.getData() == null
        || map.getData().get(PublishedSealingKeys.KEYS) == null) {
      throw new CliException(
          CliException.GENERAL,
          "error: no sealing public key is published: "
              + where
              + " does not exist. Is the operator running, in namespace "
              + operatorNamespace
              + "? (--operator-namespace names another.) Nothing was written: the plugin writes"
              + " values sealed only.");
    }
    PublishedSealingKeys keys;
    try {
      keys = PublishedSealingKeys.parse(map.getData().get(PublishedSealingKeys.KEYS));
    } catch (IllegalArgumentException e) {
      throw new CliException(
          CliException.GENERAL,
          "error: "
              + where
              + " does not hold the operator's published keys: "
              + e.getMessage()
              + ". Nothing was written.");
    }
    if (keys.currentKey().isEmpty()) {
      throw new CliException(
          CliException.GENERAL,
          "error: the operator has published no current sealing key in "
              + where
              + " (every key is retired, and no new one made yet). Nothing was written.");
    }
    return keys;
  }
}
