package dev.managedsecrets.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.managedsecrets.core.sealing.SealingBinding;
import dev.managedsecrets.core.sealing.SealingTarget;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --dry-run prints the manifest, its value sealed, checked with the operator's rules, without a
 * cluster (with -n and --cert).
 */
class CreateSecretDryRunTest {

  final Cli cli = new Cli(Map.of("HOME", "/nonexistent"));
  final TestSealingKey sealing = new TestSealingKey();

  @TempDir Path dir;

  @Test
  void printsTheManagedSecretManifestWithItsValueSealedForGitOps() throws Exception {
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
            "--cert",
            sealing.writeCert(dir).toString(),
            "--dry-run",
            "-o",
            "yaml");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out())
        .matches(
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
              sealedSecretString: msv1\\.[A-Za-z0-9_-]+
              clientRequestToken: eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee
              tags:
              - key: team
                value: orders
            """);
    JsonNode spec = new YAMLMapper().readTree(r.out()).get("spec");
    assertThat(
            sealing.open(
                spec.get("sealedSecretString").asText(),
                SealingBinding.strict(
                    "production", "production-myawesomeappsecret", SealingTarget.secretString())))
        .isEqualTo("{\"user\":\"a\"}");
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
