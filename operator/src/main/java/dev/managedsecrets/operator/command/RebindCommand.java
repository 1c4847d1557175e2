package dev.managedsecrets.operator.command;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.secret.Arns;
import dev.managedsecrets.operator.OperatorClient;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.kms.Keyring;
import dev.managedsecrets.operator.kms.KeyringSecret;
import dev.managedsecrets.operator.namespaces.NamespaceUids;
import dev.managedsecrets.operator.rebind.Rebinding;
import dev.managedsecrets.operator.store.SecretStore;
import dev.managedsecrets.operator.store.SecretStores;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rebind}: an administrator gives the namespace as it is now the stored secrets and KMS keys
 * of an earlier incarnation of it (docs/STORES.md, disaster recovery); with {@code
 * --accept-restored}, has the operator take the records of a store restored from a backup over the
 * newer records its ManagedSecrets remember. It runs with the administrator's kubeconfig and the
 * operator's configuration, against the operator's store and keyring; nothing a tenant can do
 * reaches it.
 */
@Command(
    name = "rebind",
    mixinStandardHelpOptions = true,
    description = {
      "Re-binds the stored secrets and KMS keys of an earlier incarnation of a namespace (its uid"
          + " in a restored backup, or of a namespace deleted and made again) to the namespace as"
          + " it is now. Without --from-uid, lists the incarnations the store and keyring know.",
      "With --accept-restored, accepts the records of a store restored from a backup though the"
          + " ManagedSecrets remember newer ones.",
      "Run it with the operator stopped, or restart the operator after it."
    })
public final class RebindCommand implements Callable<Integer> {

  @Option(names = "--config", description = "The operator's YAML configuration file.")
  Path config;

  @Option(names = "--from-uid", description = "The uid of the earlier incarnation.")
  String fromUid;

  @Option(
      names = "--to-namespace",
      description = "The namespace, as it is now, that takes what the earlier incarnation held.")
  String toNamespace;

  @Option(names = "--dry-run", description = "Say what would be re-bound; change nothing.")
  boolean dryRun;

  @Option(
      names = "--accept-restored",
      description =
          "Accept the records of a store restored from a backup on the cluster it was taken from,"
              + " older than the ManagedSecrets' statuses remember (docs/STORES.md).")
  boolean acceptRestored;

  @Override
  public Integer call() {
    OperatorConfig cfg = OperatorConfig.load(config, System.getenv());
    try (KubernetesClient client = OperatorClient.build(cfg.api(), new SimpleMeterRegistry())) {
      return acceptRestored
          ? acceptRestored(client, cfg, dryRun, System.out)
          : run(client, cfg, fromUid, toNamespace, dryRun, System.out);
    }
  }

  /**
   * {@code --accept-restored} on a client: every record of the store older than what the status of
   * the ManagedSecret of its ARN remembers is written again past it. 0 when done, 2 without a
   * keyring.
   */
  public static int acceptRestored(
      KubernetesClient client, OperatorConfig cfg, boolean dryRun, PrintStream out) {
    Keyring keyring = keyring(client, cfg, out);
    if (keyring == null) {
      return 2;
    }
    Map<String, Long> anchors = new HashMap<>();
    for (ManagedSecret ms :
        client.resources(ManagedSecret.class).inAnyNamespace().list().getItems()) {
      if (ms.getStatus() != null
          && ms.getStatus().arn != null
          && ms.getStatus().recordSequence != null) {
        anchors.put(ms.getStatus().arn, ms.getStatus().recordSequence);
      }
    }
    try (SecretStore store = SecretStores.open(client, cfg)) {
      Rebinding.Result result = new Rebinding(store, keyring).acceptRestored(anchors, dryRun);
      String prefix = dryRun ? "(dry run) " : "";
      result.rebound().forEach(line -> out.println(prefix + line));
      out.println(
          prefix
              + result.rebound().size()
              + " restored records accepted."
              + (dryRun || result.rebound().isEmpty()
                  ? ""
                  : " Start the operator (or restart it) for ManagedSecrets to take them."));
      return 0;
    }
  }

  /** The operator's keyring, or null (said on {@code out}) when there is none to read. */
  private static Keyring keyring(KubernetesClient client, OperatorConfig cfg, PrintStream out) {
    Arns arns =
        new Arns(
            cfg.partition(),
            cfg.region(),
            cfg.accountId() != null ? cfg.accountId() : "000000000000");
    Keyring keyring = KeyringSecret.load(client, cfg.namespace(), arns).orElse(null);
    if (keyring == null) {
      out.println(
          "The keyring Secret "
              + KeyringSecret.SECRET_NAME
              + " is not in namespace "
              + cfg.namespace()
              + ": restore it first (docs/KMS.md). The store's records are authenticated with a"
              + " key derived from it.");
    }
    return keyring;
  }

  /** The command on a client: 0 when everything asked for was re-bound, 1 otherwise. */
  public static int run(
      KubernetesClient client,
      OperatorConfig cfg,
      String fromUid,
      String toNamespace,
      boolean dryRun,
      PrintStream out) {
    NamespaceUids namespaces = new NamespaceUids(client);
    Keyring keyring = keyring(client, cfg, out);
    if (keyring == null) {
      return 2;
    }
    try (SecretStore store = SecretStores.open(client, cfg)) {
      Rebinding rebinding = new Rebinding(store, keyring);
      if (fromUid == null || toNamespace == null) {
        if (fromUid != null || toNamespace != null) {
          out.println("Give both --from-uid and --to-namespace, or neither to list.");
          return 2;
        }
        out.println("NAMESPACE\tUID\tNOW\tSECRETS\tKMS KEYS");
        for (Rebinding.Incarnation i : rebinding.incarnations()) {
          String now = namespaces.current(i.namespace());
          out.println(
              i.namespace()
                  + "\t"
                  + i.uid()
                  + "\t"
                  + (i.uid().equals(now) ? "yes" : "no")
                  + "\t"
                  + i.secrets()
                  + "\t"
                  + i.keys());
        }
        return 0;
      }
      String toUid = namespaces.current(toNamespace);
      if (toUid == null) {
        out.println("Namespace " + toNamespace + " does not exist: create it first.");
        return 2;
      }
      if (toUid.equals(fromUid)) {
        out.println("Namespace " + toNamespace + " is incarnation " + fromUid + " already.");
        return 0;
      }
      Rebinding.Result result = rebinding.rebind(toNamespace, fromUid, toUid, dryRun);
      String prefix = dryRun ? "(dry run) " : "";
      result.rebound().forEach(line -> out.println(prefix + line));
      result.conflicts().forEach(line -> out.println(prefix + line));
      out.println(
          prefix
              + result.rebound().size()
              + " re-bound from namespace incarnation "
              + fromUid
              + " to "
              + toNamespace
              + " (uid "
              + toUid
              + "), "
              + result.conflicts().size()
              + " left."
              + (dryRun || result.rebound().isEmpty()
                  ? ""
                  : " Restart the operator (or start it) for ManagedSecrets and KmsKeys to take"
                      + " them."));
      return result.conflicts().isEmpty() ? 0 : 1;
    }
  }
}
