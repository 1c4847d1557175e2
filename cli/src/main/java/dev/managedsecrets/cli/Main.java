package dev.managedsecrets.cli;

import dev.managedsecrets.cli.commands.AwsOperation;
import dev.managedsecrets.cli.kube.ApiErrors;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;

/**
 * The plugin's entry point. {@link #run} is what the tests call: arguments, the two streams and the
 * environment in, the exit code out.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8));
    int code = run(args, out, err, System.getenv());
    out.flush();
    err.flush();
    System.exit(code);
  }

  public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
    return run(args, System.in, out, err, env);
  }

  /** As {@link #run(String[], PrintWriter, PrintWriter, Map)}, reading stdin from {@code in}. */
  public static int run(
      String[] args, InputStream in, PrintWriter out, PrintWriter err, Map<String, String> env) {
    ManagedSecretCli root = new ManagedSecretCli(in, out, err, env);
    CommandLine cli = new CommandLine(root);
    cli.setOut(out);
    cli.setErr(err);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setParameterExceptionHandler(
        (e, arguments) -> {
          CommandLine cmd = e.getCommandLine();
          err.println(cmd.getCommandName() + ": error: " + e.getMessage());
          err.println("To see help text, you can run:");
          err.println();
          err.println("  kubectl managedsecret --help");
          err.println("  kubectl managedsecret <subcommand> --help");
          err.flush();
          return CliException.USAGE;
        });
    cli.setExecutionExceptionHandler(
        (e, cmd, parseResult) -> {
          CliException failure = translate(e);
          String operation =
              cmd.getCommand() instanceof AwsOperation op ? op.operation() : cmd.getCommandName();
          err.println(failure.render(operation));
          err.flush();
          return failure.exitCode();
        });
    try {
      return cli.execute(args);
    } finally {
      root.close();
      out.flush();
      err.flush();
    }
  }

  private static CliException translate(Exception e) {
    if (e instanceof CliException c) {
      return c;
    }
    if (e instanceof KubernetesClientException k) {
      return ApiErrors.translate(k);
    }
    return new CliException(CliException.GENERAL, "error: " + e);
  }
}
