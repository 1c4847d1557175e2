package dev.managedsecrets.cli;

import dev.managedsecrets.cli.commands.CancelRotateSecret;
import dev.managedsecrets.cli.commands.CreateSecret;
import dev.managedsecrets.cli.commands.Credentials;
import dev.managedsecrets.cli.commands.DeleteSecret;
import dev.managedsecrets.cli.commands.DescribeSecret;
import dev.managedsecrets.cli.commands.FetchCert;
import dev.managedsecrets.cli.commands.GetRandomPassword;
import dev.managedsecrets.cli.commands.GetSecretValue;
import dev.managedsecrets.cli.commands.ListSecretVersionIds;
import dev.managedsecrets.cli.commands.ListSecrets;
import dev.managedsecrets.cli.commands.PutSecretValue;
import dev.managedsecrets.cli.commands.RemoveRegionsFromReplication;
import dev.managedsecrets.cli.commands.ReplicateSecretToRegions;
import dev.managedsecrets.cli.commands.RestoreSecret;
import dev.managedsecrets.cli.commands.RotateSecret;
import dev.managedsecrets.cli.commands.Seal;
import dev.managedsecrets.cli.commands.StopReplicationToReplica;
import dev.managedsecrets.cli.commands.TagResource;
import dev.managedsecrets.cli.commands.UntagResource;
import dev.managedsecrets.cli.commands.UpdateSecret;
import dev.managedsecrets.cli.commands.UpdateSecretVersionStage;
import dev.managedsecrets.cli.kube.Kube;
import dev.managedsecrets.cli.output.Output;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code kubectl managedsecret}: the commands of {@code aws secretsmanager}, on ManagedSecrets. */
@Command(
    name = "kubectl-managedsecret",
    mixinStandardHelpOptions = true,
    versionProvider = ManagedSecretCli.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "The commands and options of `aws secretsmanager`, acting on ManagedSecret resources in the"
          + " current kubeconfig context and namespace. Output as the AWS CLI prints it. Values"
          + " are sealed for the operator before they are written; seal and fetch-cert seal"
          + " manifests for Git; credentials prints the endpoint's credentials for the AWS CLI's"
          + " credential_process."
    },
    subcommands = {
      CreateSecret.class,
      DescribeSecret.class,
      GetSecretValue.class,
      ListSecrets.class,
      ListSecretVersionIds.class,
      PutSecretValue.class,
      UpdateSecret.class,
      DeleteSecret.class,
      RestoreSecret.class,
      TagResource.class,
      UntagResource.class,
      UpdateSecretVersionStage.class,
      RotateSecret.class,
      CancelRotateSecret.class,
      ReplicateSecretToRegions.class,
      RemoveRegionsFromReplication.class,
      StopReplicationToReplica.class,
      GetRandomPassword.class,
      Seal.class,
      FetchCert.class,
      Credentials.class,
      CommandLine.HelpCommand.class
    })
public final class ManagedSecretCli implements Runnable {

  @Option(
      names = {"-n", "--namespace"},
      scope = ScopeType.INHERIT,
      paramLabel = "<namespace>",
      description = "Namespace of the ManagedSecrets (default: the context's, else default).")
  public String namespace;

  @Option(
      names = "--context",
      scope = ScopeType.INHERIT,
      paramLabel = "<context>",
      description = "The kubeconfig context to use (default: the current context).")
  public String context;

  @Option(
      names = "--kubeconfig",
      scope = ScopeType.INHERIT,
      paramLabel = "<file>",
      description = "The kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).")
  public String kubeconfig;

  @Option(
      names = {"-o", "--output"},
      scope = ScopeType.INHERIT,
      defaultValue = "json",
      paramLabel = "<format>",
      description = "json (default), yaml, text or table, as the AWS CLI's --output.")
  public Output.Format output;

  @Option(
      names = "--query",
      scope = ScopeType.INHERIT,
      paramLabel = "<jmespath>",
      description = "A JMESPath expression applied to the response, as the AWS CLI's --query.")
  public String query;

  @Spec CommandSpec spec;

  public final InputStream in;
  public final PrintWriter out;
  public final PrintWriter err;
  public final Map<String, String> env;
  private Kube kube;

  public ManagedSecretCli(
      InputStream in, PrintWriter out, PrintWriter err, Map<String, String> env) {
    this.in = in;
    this.out = out;
    this.err = err;
    this.env = env;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "the following arguments are required: <subcommand>");
  }

  /** Whether -o/--output was given (before or after the subcommand), rather than defaulted. */
  public boolean outputGiven() {
    CommandLine.ParseResult result = spec.commandLine().getParseResult();
    while (result != null) {
      if (result.hasMatchedOption("--output")) {
        return true;
      }
      result = result.subcommand();
    }
    return false;
  }

  public Kube.Settings settings() {
    return new Kube.Settings(kubeconfig, context, namespace, env);
  }

  /** The cluster, connected on first use and closed when the command ends. */
  public Kube kube() {
    if (kube == null) {
      kube = Kube.connect(settings());
    }
    return kube;
  }

  void close() {
    if (kube != null) {
      kube.close();
      kube = null;
    }
  }

  /** The plugin's version, from its jar's manifest. */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {Kube.USER_AGENT.replace('/', ' ')};
    }
  }
}
