package dev.managedsecrets.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** --dry-run prints the manifest, checked with the operator's rules, without a cluster. */
class CreateSecretDryRunTest {

  final Cli cli = new Cli(Map.of("HOME", "/nonexistent"));

  @Test
  void printsTheManagedSecretManifestAsYamlForGitOps() {
    Cli.Result r =
        cli.run(
            "create-secret",
            "--name",
            "production/MyAwesomeAppSecret",
            "--description",
            "Orders",
            "--secret-string",
            "{\"user\":\"a\"}",
            "--kms-key-id",
            "alias/orders",
            "--tags",
            "Key=team,Value=orders",
            "--client-request-token",
            "e".repeat(32),
            "-n",
            "production",
            "--dry-run",
            "-o",
            "yaml");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out())
        .isEqualTo(
            """
            apiVersion: managedsecrets.dev/v1alpha1
            kind: ManagedSecret
            metadata:
              name: production-myawesomeappsecret
              namespace: production
            spec:
              secretName: production/MyAwesomeAppSecret
              description: Orders
              kmsKeyId: alias/orders
              secretString: "{\\"user\\":\\"a\\"}"
              clientRequestToken: eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee
              tags:
              - key: team
                value: orders
            """);
  }

  @Test
  void aManifestThatBreaksTheOperatorsRulesIsRefusedWithItsException() {
    Cli.Result r =
        cli.run(
            "create-secret",
            "--name",
            "bad name!",
            "--secret-string",
            "x",
            "-n",
            "default",
            "--dry-run");
    assertThat(r.code()).isEqualTo(254);
    assertThat(r.err())
        .isEqualTo(
            "An error occurred (ValidationException) when calling the CreateSecret operation:"
                + " Invalid name. Must be a valid name containing alphanumeric characters, or any"
                + " of the following: -/_+=.@!\n");
  }

  @Test
  void bothAStringAndABinaryValueIsAUsageError() {
    Cli.Result r =
        cli.run(
            "create-secret",
            "--name",
            "x",
            "--secret-string",
            "a",
            "--secret-binary",
            "AA==",
            "-n",
            "default",
            "--dry-run");
    assertThat(r.code()).isEqualTo(252);
    assertThat(r.err()).startsWith("You can't specify both --secret-string and --secret-binary");
  }
}
