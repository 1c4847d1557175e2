package dev.managedsecrets.cli.commands;

import dev.managedsecrets.cli.ManagedSecretCli;
import dev.managedsecrets.cli.seal.KeyFile;
import dev.managedsecrets.core.sealing.PublishedSealingKeys;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code fetch-cert}: the operator's current sealing public key, for sealing offline. */
@Command(
    name = "fetch-cert",
    sortOptions = false,
    description = {
      "Prints the operator's current sealing public key (PEM, with its key id and creation date"
          + " before it), read from the ConfigMap it publishes its keys in. Save it and seal"
          + " offline with seal --cert FILE."
    })
public final class FetchCert implements Callable<Integer> {

  @ParentCommand ManagedSecretCli root;

  @Mixin SealingKeyOptions sealing;

  @Mixin OperatorNamespaceOption operator;

  @Option(
      names = "--all",
      description = "List every published key instead: its id, creation and retirement dates.")
  boolean all;

  @Override
  public Integer call() {
    PublishedSealingKeys keys = sealing.published(root, operator.name);
    if (!all) {
      root.out.print(KeyFile.format(keys.currentKey().orElseThrow()));
    } else {
      String format = "%-18s %-22s %-22s %s%n";
      root.out.printf(format, "KEY-ID", "CREATED", "RETIRED", "CURRENT");
      for (PublishedSealingKeys.Entry k : keys.keys()) {
        root.out.printf(
            format,
            k.keyId(),
            k.createdDate(),
            k.retiredDate() == null ? "-" : k.retiredDate(),
            k.keyId().equals(keys.currentKeyId()) ? "*" : "");
      }
    }
    root.out.flush();
    return 0;
  }
}
