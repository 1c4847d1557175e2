package dev.managedsecrets.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.cli.Cli;
import dev.managedsecrets.core.sealing.PublishedSealingKeys;
import dev.managedsecrets.core.sealing.SealingPrivateKey;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An API server with the CRDs but no operator: the plugin's waits end, and say why. */
@Timeout(60)
class WithoutOperatorIT {

  static EmbeddedApiServer api;
  static Cli cli;

  @BeforeAll
  static void start() throws Exception {
    api = EmbeddedApiServer.start(0);
    Path dir = Files.createTempDirectory("kubectl-managedsecret-no-operator");
    Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
    cli = new Cli(Map.of("KUBECONFIG", kubeconfig.toString(), "HOME", dir.toString()));
    // A sealing key as an operator that ran once published it.
    SealingPrivateKey key = SealingPrivateKey.generate();
    PublishedSealingKeys published =
        new PublishedSealingKeys(
            key.keyId(),
            List.of(
                new PublishedSealingKeys.Entry(key.keyId(), Instant.now(), null, key.publicKey())));
    api.client()
        .configMaps()
        .inNamespace("managedsecret-system")
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(PublishedSealingKeys.CONFIG_MAP)
                .endMetadata()
                .addToData(PublishedSealingKeys.KEYS, published.toJson())
                .build())
        .create();
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void aWaitThatTimesOutEndsWithExitCode255AndLeavesTheManagedSecretForTheOperator() {
    Cli.Result r =
        cli.run("create-secret", "--name", "later", "--secret-string", "x", "--timeout", "1s");
    assertThat(r.code()).as(r.toString()).isEqualTo(255);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo(
            "Waiter ManagedSecretReady failed: ManagedSecret later in namespace default was not"
                + " reconciled within 1s. Is the operator running? (--no-wait returns without"
                + " waiting)\n");
    ManagedSecret ms =
        api.client().resources(ManagedSecret.class).inNamespace("default").withName("later").get();
    assertThat(ms.getSpec().secretName).isEqualTo("later");
    assertThat(ms.getSpec().secretString).isNull();
    assertThat(ms.getSpec().sealedSecretString).startsWith("msv1.");

    Cli.Result described = cli.run("describe-secret", "--secret-id", "later");
    assertThat(described.code()).isZero();
    assertThat(described.out()).isEqualTo("{\n    \"Name\": \"later\"\n}\n");
  }

  @Test
  void withoutAPublishedSealingKeyNothingIsWrittenAndTheMessageSaysWhy() {
    Cli.Result r =
        cli.run(
            "create-secret",
            "--name",
            "unsealed",
            "--secret-string",
            "x",
            "--operator-namespace",
            "kube-system");
    assertThat(r.code()).as(r.toString()).isEqualTo(255);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo(
            "error: no sealing public key is published: ConfigMap"
                + " kube-system/managedsecret-sealing-keys does not exist. Is the operator running,"
                + " in namespace kube-system? (--operator-namespace names another.) Nothing was"
                + " written: the plugin writes values sealed only.\n");
    assertThat(
            api.client()
                .resources(ManagedSecret.class)
                .inNamespace("default")
                .withName("unsealed")
                .get())
        .isNull();
  }

  @Test
  void deleteSecretWaitsForTheFinalizerAndSaysWhenItDoesNotRun() {
    ManagedSecret ms = new ManagedSecret();
    ms.getMetadata().setName("stuck");
    ms.getMetadata().setNamespace("default");
    ms.getMetadata().getFinalizers().add("managedsecrets.dev/finalizer");
    ms.getSpec().secretName = "stuck";
    api.client().resources(ManagedSecret.class).resource(ms).create();
    Cli.Result r = cli.run("delete-secret", "--secret-id", "stuck", "--timeout", "1s");
    assertThat(r.code()).isEqualTo(255);
    assertThat(r.err())
        .startsWith(
            "Waiter ManagedSecretDeleted failed: ManagedSecret stuck in namespace default still"
                + " exists after 1s");
    Cli.Result again = cli.run("get-secret-value", "--secret-id", "stuck");
    assertThat(again.code()).isEqualTo(254);
    assertThat(again.err())
        .isEqualTo(
            "An error occurred (InvalidRequestException) when calling the GetSecretValue"
                + " operation: You can't perform this operation on the secret because it was"
                + " marked for deletion.\n");
  }
}
