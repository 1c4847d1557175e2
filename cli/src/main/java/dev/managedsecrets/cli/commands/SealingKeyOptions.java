package dev.managedsecrets.cli.commands;

import dev.managedsecrets.cli.ManagedSecretCli;
import dev.managedsecrets.cli.seal.KeyFile;
import dev.managedsecrets.cli.seal.PublishedKeys;
import dev.managedsecrets.core.sealing.PublishedSealingKeys;
import dev.managedsecrets.core.sealing.SealingPublicKey;
import picocli.CommandLine.Option;

/**
 * Where the sealing public key comes from: {@code --cert FILE} (offline), else the ConfigMap the
 * operator publishes it in, in the operator's namespace ({@code --operator-namespace}, which the
 * command declares once: {@link OperatorNamespaceOption}, or its endpoint options).
 */
public final class SealingKeyOptions {

  /** The operator's namespace when the chart is installed as its README says. */
  public static final String DEFAULT_OPERATOR_NAMESPACE = "managedsecret-system";

  @Option(
      names = "--cert",
      paramLabel = "<file>",
      description =
          "Seal offline for the public key in this file: what fetch-cert prints, or the operator's"
              + " published current.pem or keys.json. Default: the operator's current key, read"
              + " from the cluster.")
  String cert;

  /** The key to seal for. */
  SealingPublicKey key(ManagedSecretCli root, String operatorNamespace) {
    if (cert != null) {
      return KeyFile.read("--cert", cert, root.in);
    }
    return published(root, operatorNamespace).current();
  }

  PublishedSealingKeys published(ManagedSecretCli root, String operatorNamespace) {
    return PublishedKeys.fetch(root.kube(), operatorNamespace);
  }

  boolean offline() {
    return cert != null;
  }
}
