package dev.managedsecrets.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A command line the plugin cannot use ends with exit code 252, as the AWS CLI's. */
class UsageTest {

  final Cli cli = new Cli(Map.of("HOME", "/nonexistent"));

  @Test
  void anUnknownOptionIsAUsageError() {
    Cli.Result r = cli.run("describe-secret", "--secret-id", "x", "--bogus");
    assertThat(r.code()).isEqualTo(252);
    assertThat(r.err()).startsWith("describe-secret: error: Unknown option: '--bogus'");
  }

  @Test
  void aMissingRequiredOptionIsAUsageError() {
    Cli.Result r = cli.run("get-secret-value");
    assertThat(r.code()).isEqualTo(252);
    assertThat(r.err()).contains("Missing required option: '--secret-id=<id>'");
  }

  @Test
  void noSubcommandIsAUsageError() {
    Cli.Result r = cli.run();
    assertThat(r.code()).isEqualTo(252);
    assertThat(r.err()).contains("the following arguments are required: <subcommand>");
  }

  @Test
  void aBadQueryFailsBeforeAnythingIsDone() {
    Cli.Result r = cli.run("get-random-password", "--query", "[?");
    assertThat(r.code()).isEqualTo(252);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("Bad value for --query [?: ");
  }

  @Test
  void globalOptionsAreAcceptedBeforeAndAfterTheSubcommand() {
    assertThat(cli.run("-o", "text", "get-random-password").out()).doesNotContain("RandomPassword");
    assertThat(cli.run("get-random-password", "-o", "text").out()).doesNotContain("RandomPassword");
  }

  @Test
  void helpListsEverySubcommand() {
    Cli.Result r = cli.run("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains(
            "create-secret",
            "describe-secret",
            "get-secret-value",
            "list-secrets",
            "put-secret-value",
            "update-secret",
            "delete-secret",
            "restore-secret",
            "tag-resource",
            "untag-resource",
            "update-secret-version-stage",
            "rotate-secret",
            "cancel-rotate-secret",
            "replicate-secret-to-regions",
            "remove-regions-from-replication",
            "stop-replication-to-replica",
            "get-random-password",
            "seal",
            "fetch-cert",
            "credentials");
  }

  @Test
  void replicationCommandsNeedTheirRegions() {
    Cli.Result add = cli.run("replicate-secret-to-regions", "--secret-id", "x");
    Cli.Result remove = cli.run("remove-regions-from-replication", "--secret-id", "x");

    assertThat(add.code()).isEqualTo(252);
    assertThat(add.err()).contains("Missing required option: '--add-replica-regions=<region>'");
    assertThat(remove.code()).isEqualTo(252);
    assertThat(remove.err())
        .contains("Missing required option: '--remove-replica-regions=<region>'");
  }
}
