package dev.managedsecrets.cli.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.cli.Cli;
import dev.managedsecrets.cli.TestSealingKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubeconfig is found and read as kubectl reads it; a kubeconfig that cannot be used ends with
 * exit code 253 (the AWS CLI's code for a configuration it cannot use). --dry-run prints the
 * manifest without contacting the cluster, so it shows which namespace was chosen.
 */
class KubeconfigTest {

  @TempDir Path dir;

  final TestSealingKey sealing = new TestSealingKey();

  static final String KUBECONFIG =
      """
      apiVersion: v1
      kind: Config
      clusters:
      - name: c
        cluster: {server: "http://127.0.0.1:1"}
      users:
      - name: u
        user: {}
      contexts:
      - name: one
        context: {cluster: c, user: u, namespace: team-one}
      - name: two
        context: {cluster: c, user: u, namespace: team-two}
      - name: plain
        context: {cluster: c, user: u}
      current-context: one
      """;

  Path kubeconfig() throws Exception {
    Path f = dir.resolve("config");
    Files.writeString(f, KUBECONFIG);
    return f;
  }

  static String namespaceOf(Cli.Result r) {
    assertThat(r.code()).as(r.toString()).isZero();
    return r.out()
        .lines()
        .filter(l -> l.startsWith("  namespace: "))
        .findFirst()
        .orElseThrow()
        .substring(13);
  }

  /**
   * create-secret --dry-run, sealed offline with --cert (without it the plugin reads the published
   * key from the cluster).
   */
  String[] dryRun(String... extra) {
    String[] base = {
      "create-secret",
      "--name",
      "x",
      "--secret-string",
      "v",
      "--dry-run",
      "-o",
      "yaml",
      "--cert",
      sealing.writeCert(dir).toString()
    };
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }

  @Test
  void theKubeconfigEnvironmentVariableIsRespected() throws Exception {
    Cli cli = new Cli(Map.of("KUBECONFIG", kubeconfig().toString(), "HOME", dir.toString()));
    assertThat(namespaceOf(cli.run(dryRun()))).isEqualTo("team-one");
  }

  @Test
  void kubeconfigFilesOfTheVariableAreMergedAndTheFirstWins() throws Exception {
    Path second = dir.resolve("second");
    Files.writeString(
        second,
        KUBECONFIG
            .replace("team-one", "other")
            .replace("current-context: one", "current-context: two"));
    Cli cli =
        new Cli(
            Map.of(
                "KUBECONFIG",
                kubeconfig() + ":" + dir.resolve("absent") + ":" + second,
                "HOME",
                dir.toString()));
    assertThat(namespaceOf(cli.run(dryRun()))).isEqualTo("team-one");
  }

  @Test
  void theDefaultKubeconfigIsInTheHomeDirectory() throws Exception {
    Files.createDirectories(dir.resolve(".kube"));
    Files.writeString(dir.resolve(".kube/config"), KUBECONFIG);
    Cli cli = new Cli(Map.of("HOME", dir.toString()));
    assertThat(namespaceOf(cli.run(dryRun()))).isEqualTo("team-one");
  }

  @Test
  void contextAndNamespaceOptionsChooseAsKubectlDoes() throws Exception {
    Cli cli = new Cli(Map.of("HOME", dir.toString()));
    String file = kubeconfig().toString();
    assertThat(namespaceOf(cli.run(dryRun("--kubeconfig", file, "--context", "two"))))
        .isEqualTo("team-two");
    assertThat(namespaceOf(cli.run(dryRun("--kubeconfig", file, "--context", "plain"))))
        .isEqualTo("default");
    assertThat(namespaceOf(cli.run(dryRun("--kubeconfig", file, "-n", "mine")))).isEqualTo("mine");
    assertThat(
            namespaceOf(
                cli.run(dryRun("--kubeconfig", file, "--namespace", "mine", "--context", "two"))))
        .isEqualTo("mine");
  }

  @Test
  void anUnreadableKubeconfigIsAConfigurationErrorWithExitCode253() throws Exception {
    Path broken = dir.resolve("broken");
    Files.writeString(broken, "clusters: [unclosed\n  - : :\n");
    Cli cli = new Cli(Map.of("HOME", dir.toString()));
    Cli.Result r =
        cli.run("describe-secret", "--secret-id", "x", "--kubeconfig", broken.toString());
    assertThat(r.code()).isEqualTo(253);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("error: error loading config file \"" + broken + "\": ");

    Cli.Result directory =
        cli.run("describe-secret", "--secret-id", "x", "--kubeconfig", dir.toString());
    assertThat(directory.code()).isEqualTo(253);
    assertThat(directory.err()).startsWith("error: error loading config file \"" + dir + "\": ");
  }

  @Test
  void aMissingKubeconfigOrContextIsAConfigurationError() throws Exception {
    Cli cli = new Cli(Map.of("HOME", dir.toString()));
    Cli.Result missing = cli.run("list-secrets", "--kubeconfig", dir + "/nope");
    assertThat(missing.code()).isEqualTo(253);
    assertThat(missing.err())
        .isEqualTo("error: stat " + dir + "/nope: no such file or directory\n");

    Cli.Result context =
        cli.run("list-secrets", "--kubeconfig", kubeconfig().toString(), "--context", "three");
    assertThat(context.code()).isEqualTo(253);
    assertThat(context.err()).isEqualTo("error: context \"three\" does not exist\n");

    Cli.Result none = cli.run("list-secrets");
    assertThat(none.code()).isEqualTo(253);
    assertThat(none.err()).startsWith("error: no configuration has been provided");
  }

  @Test
  void anUnreachableApiServerIsAGeneralErrorWithExitCode255() throws Exception {
    Cli cli = new Cli(Map.of("HOME", dir.toString()));
    Cli.Result r = cli.run("list-secrets", "--kubeconfig", kubeconfig().toString());
    assertThat(r.code()).as(r.toString()).isEqualTo(255);
    assertThat(r.err()).startsWith("Could not connect to the API server");
  }
}
