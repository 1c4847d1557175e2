package dev.managedsecrets.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.cli.Cli;
import dev.managedsecrets.cli.Cli.Result;
import dev.managedsecrets.core.sealing.SealedValue;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The GitOps loop with the plugin and the real kubectl against the running operator: a manifest
 * sealed offline with the key fetch-cert printed, applied, Ready, its Secret the plaintext; a key
 * changed with --merge-into, the others' sealed bytes untouched; after the operator renews its
 * sealing key, seal --re-encrypt seals for the new key through the API server's service proxy, and
 * the Secret stays the same with no new version; create-secret and put-secret-value write no
 * plaintext into the custom resource.
 */
@Timeout(180)
class SealIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final YAMLMapper YAML = new YAMLMapper();

  static Cluster cluster;
  static Cli cli;

  @BeforeAll
  static void start() {
    cluster = Cluster.start("team-a");
    cli = cluster.cli();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static Result ok(Result r) {
    assertThat(r.code()).as(r.toString()).isZero();
    return r;
  }

  static Result kubectl(String stdin, String... args) {
    String[] command = new String[args.length + 1];
    command[0] = "kubectl";
    System.arraycopy(args, 0, command, 1, args.length);
    return cluster.exec(null, stdin, command);
  }

  static String manifest(String name, Map<String, String> data) {
    StringBuilder out =
        new StringBuilder(
            """
            apiVersion: managedsecrets.dev/v1alpha1
            kind: ManagedSecret
            metadata:
              name: %s
              namespace: team-a
            spec:
              description: sealed for Git
              data:
            """
                .formatted(name));
    data.forEach((k, v) -> out.append("    ").append(k).append(": ").append(v).append('\n'));
    return out.toString();
  }

  /** fetch-cert's output, saved as a file. */
  static Path fetchCert() throws Exception {
    Result r = ok(cli.run("fetch-cert"));
    assertThat(r.out())
        .matches("(?s)Key-Id: [0-9a-f]{16}\nCreated: \\S+\n-----BEGIN PUBLIC KEY-----\n.*");
    Path file = Files.createTempFile(cluster.dir, "sealing", ".pem");
    Files.writeString(file, r.out());
    return file;
  }

  static String keyIdOf(Path cert) throws Exception {
    String text = Files.readString(cert);
    return text.substring("Key-Id: ".length(), text.indexOf('\n'));
  }

  /** Waits until the operator has made this generation of the ManagedSecret Ready. */
  static ManagedSecret awaitReady(String name) {
    long generation = cluster.managedSecret("team-a", name).getMetadata().getGeneration();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              ManagedSecret ms = cluster.managedSecret("team-a", name);
              return ms.getStatus() != null
                  && ms.getStatus().observedGeneration != null
                  && ms.getStatus().observedGeneration >= generation
                  && ms.getStatus().conditions.stream()
                      .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
            });
    return cluster.managedSecret("team-a", name);
  }

  static Map<String, String> projected(String name) {
    Secret secret = cluster.client().secrets().inNamespace("team-a").withName(name).get();
    Map<String, String> out = new TreeMap<>();
    secret
        .getData()
        .forEach(
            (k, v) ->
                out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    return out;
  }

  static JsonNode sealedData(String yaml) throws Exception {
    return YAML.readTree(yaml).get("spec").get("sealedData");
  }

  @Test
  void aManifestSealedOfflineWithFetchCertsKeyIsAppliedWithKubectlAndProjectsThePlaintext()
      throws Exception {
    Path cert = fetchCert();
    Path plain = Files.createTempFile(cluster.dir, "orders", ".yaml");
    Files.writeString(
        plain, manifest("orders-db", Map.of("username", "saanvi", "password", "aDM4N3*!8TT")));

    Result sealed = ok(cli.run("seal", "--cert", cert.toString(), "-f", plain.toString()));
    assertThat(sealed.out()).doesNotContain("saanvi", "aDM4N3*!8TT");
    for (JsonNode value : sealedData(sealed.out())) {
      assertThat(SealedValue.parse(value.asText(), "v").keyId()).isEqualTo(keyIdOf(cert));
    }

    ok(kubectl(sealed.out(), "apply", "-f", "-"));
    ManagedSecret ms = awaitReady("orders-db");
    assertThat(projected("orders-db"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("username", "saanvi", "password", "aDM4N3*!8TT"));
    assertThat(JSON.writeValueAsString(ms)).doesNotContain("saanvi", "aDM4N3*!8TT");
    Result got =
        ok(kubectl(null, "get", "managedsecret", "orders-db", "-n", "team-a", "-o", "yaml"));
    assertThat(got.out()).contains("sealedData:").doesNotContain("saanvi", "aDM4N3*!8TT");
  }

  @Test
  void mergeIntoChangesOneKeyAndLeavesTheOtherSealedBytesAsTheyWere() throws Exception {
    Path cert = fetchCert();
    Result sealed =
        ok(
            cli.runWithInput(
                manifest("merge-db", Map.of("username", "keep-me", "password", "old-password")),
                "seal",
                "--cert",
                cert.toString()));
    Path file = Files.createTempFile(cluster.dir, "merge", ".yaml");
    Files.writeString(file, sealed.out());
    ok(kubectl(null, "apply", "-f", file.toString()));
    awaitReady("merge-db");
    JsonNode before = sealedData(Files.readString(file));

    ok(
        cli.runWithInput(
            "spec:\n  data:\n    password: new-password\n",
            "seal",
            "--cert",
            cert.toString(),
            "--merge-into",
            file.toString()));

    String merged = Files.readString(file);
    JsonNode after = sealedData(merged);
    assertThat(after.get("username").asText()).isEqualTo(before.get("username").asText());
    assertThat(after.get("password").asText()).isNotEqualTo(before.get("password").asText());
    assertThat(merged)
        .isEqualTo(
            sealed.out().replace(before.get("password").asText(), after.get("password").asText()));
    ok(kubectl(null, "apply", "-f", file.toString()));
    awaitReady("merge-db");
    assertThat(projected("merge-db"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("username", "keep-me", "password", "new-password"));
  }

  @Test
  void afterARenewalReEncryptSealsForTheNewKeyAndTheSecretStaysTheSameWithoutANewVersion()
      throws Exception {
    Path cert = fetchCert();
    String oldKey = keyIdOf(cert);
    Path file = Files.createTempFile(cluster.dir, "renewed", ".yaml");
    Files.writeString(
        file,
        ok(cli.runWithInput(
                manifest("renewed-db", Map.of("token", "t0ken", "host-key", "hk")),
                "seal",
                "--cert",
                cert.toString()))
            .out());
    ok(kubectl(null, "apply", "-f", file.toString()));
    String version = awaitReady("renewed-db").getStatus().versionId;

    cluster.clock.advance(Duration.ofDays(31));
    String newKey = cluster.operator.maintainSealingKeys();
    assertThat(newKey).isNotEqualTo(oldKey);
    Result all = ok(cli.run("fetch-cert", "--all"));
    assertThat(all.out())
        .startsWith("KEY-ID")
        .containsPattern(newKey + " .* \\*\n")
        .contains(oldKey);
    assertThat(keyIdOf(fetchCert())).isEqualTo(newKey);

    Result reEncrypted = ok(cli.run("seal", "--re-encrypt", "-f", file.toString()));
    String original = Files.readString(file);
    JsonNode before = sealedData(original);
    JsonNode after = sealedData(reEncrypted.out());
    String expected = original;
    for (String key : List.of("token", "host-key")) {
      assertThat(SealedValue.parse(before.get(key).asText(), "v").keyId()).isEqualTo(oldKey);
      assertThat(SealedValue.parse(after.get(key).asText(), "v").keyId()).isEqualTo(newKey);
      expected = expected.replace(before.get(key).asText(), after.get(key).asText());
    }
    assertThat(reEncrypted.out()).as("only the sealed values changed").isEqualTo(expected);

    ok(kubectl(reEncrypted.out(), "apply", "-f", "-"));
    ManagedSecret ms = awaitReady("renewed-db");
    assertThat(ms.getSpec().sealedData.get("token")).isEqualTo(after.get("token").asText());
    assertThat(ms.getStatus().versionId)
        .as("the same plaintext: no new version")
        .isEqualTo(version);
    assertThat(projected("renewed-db"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("token", "t0ken", "host-key", "hk"));

    // Bound to the manifest's metadata: moved to another namespace, the operator refuses it.
    Result moved =
        cli.runWithInput(
            reEncrypted.out().replace("namespace: team-a", "namespace: default"),
            "seal",
            "--re-encrypt");
    assertThat(moved.code()).isEqualTo(254);
    assertThat(moved.out()).isEmpty();
    assertThat(moved.err())
        .startsWith(
            "An error occurred (InvalidParameterException) when calling the seal operation: sealed"
                + " key 1 of 2 (sealedData) was sealed for another namespace than default")
        .doesNotContain("t0ken", "host-key");
  }

  @Test
  void createSecretAndPutSecretValueWriteNoPlaintextIntoTheCustomResource() throws Exception {
    String first = "canary-first-3f9a";
    ok(cli.run("create-secret", "-n", "team-a", "--name", "never/plain", "--secret-string", first));
    String second = "canary-second-77c1";
    ok(
        cli.run(
            "put-secret-value",
            "-n",
            "team-a",
            "--secret-id",
            "never/plain",
            "--secret-string",
            second));
    Result stored =
        ok(kubectl(null, "get", "managedsecret", "never-plain", "-n", "team-a", "-o", "json"));
    JsonNode spec = JSON.readTree(stored.out()).get("spec");
    assertThat(spec.get("sealedSecretString").asText()).startsWith("msv1.");
    assertThat(spec.has("secretString")).isFalse();
    assertThat(stored.out()).doesNotContain(first, second, "canary");
    JsonNode value =
        JSON.readTree(
            ok(cli.run("get-secret-value", "-n", "team-a", "--secret-id", "never/plain")).out());
    assertThat(value.get("SecretString").asText()).isEqualTo(second);
  }
}
