package dev.managedsecrets.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.core.sealing.PublishedSealingKeys;
import dev.managedsecrets.core.sealing.Sealer;
import dev.managedsecrets.core.sealing.SealingBinding;
import dev.managedsecrets.core.sealing.SealingPublicKey;
import dev.managedsecrets.core.sealing.SealingTarget;
import dev.managedsecrets.operator.embedded.Kubectl.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar managedsecret-operator.jar embedded} started as a user starts it, driven with
 * the real kubectl: what a user types must work as it does against a cluster.
 */
class EmbeddedModeIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path dir;
  static EmbeddedProcess embedded;
  static Kubectl kubectl;

  @BeforeAll
  static void startEmbedded() {
    Path kubeconfig = dir.resolve("embedded.kubeconfig");
    embedded =
        EmbeddedProcess.start("--port", "0", "--kubeconfig-out", kubeconfig.toString())
            .awaitReady();
    assertThat(embedded.out).contains("export KUBECONFIG=" + kubeconfig);
    assertThat(String.join("\n", embedded.out)).contains("in memory");
    kubectl = new Kubectl(kubeconfig, dir.resolve("kubectl-cache"));
    kubectl.requireSupportedVersion();
  }

  @AfterAll
  static void stopEmbedded() {
    if (embedded != null) {
      embedded.close();
    }
  }

  private static Path examples() {
    return Path.of(System.getProperty("examples.dir", "../examples"));
  }

  private static Result ok(Result r) {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }

  private static Result ok(String... args) {
    return ok(kubectl.run(args));
  }

  private static Result apply(String manifest, String... flags) {
    String[] args = new String[flags.length + 2];
    args[0] = "apply";
    System.arraycopy(flags, 0, args, 1, flags.length);
    args[args.length - 1] = "-f=-";
    return kubectl.runWithInput(manifest, args);
  }

  private static String decoded(String secret, String key) {
    String b64 = ok("get", "secret", secret, "-o", "jsonpath={.data." + key + "}").out();
    return new String(Base64.getDecoder().decode(b64.trim()), StandardCharsets.UTF_8);
  }

  private static void awaitReady(String name) {
    ok("wait", "--for=condition=Ready", "ms/" + name, "--timeout=60s");
  }

  @Test
  void everyExampleAppliesBecomesReadyAndShowsAsInACluster() throws Exception {
    ok("apply", "-f", examples().toString());
    ok("wait", "--for=condition=Ready", "ms", "--all", "--timeout=60s");

    JsonNode data =
        JSON.readTree(ok("get", "secret", "orders-api", "-o", "jsonpath={.data}").out());
    assertThat(data.fieldNames()).toIterable().containsExactlyInAnyOrder("apiKey", "username");
    assertThat(decoded("orders-api", "username")).isEqualTo("orders");
    assertThat(ok("get", "secret", "orders-db-credentials", "-o", "jsonpath={.type}").out())
        .isEqualTo("kubernetes.io/basic-auth");
    // The example's template percent-encodes the generated password: the URL parses, and its
    // userinfo gives the password back.
    java.net.URI url = java.net.URI.create(decoded("orders-db-credentials", "DATABASE_URL"));
    assertThat(url.getHost()).isEqualTo("db.internal");
    assertThat(url.getPath()).isEqualTo("/orders");
    assertThat(url.getUserInfo())
        .isEqualTo("orders_app:" + decoded("orders-db-credentials", "password"));
    assertThat(ok("get", "secret", "signing-key", "-o", "jsonpath={.data}").out())
        .contains("secretBinary");

    String table = ok("get", "ms").out();
    String header = table.lines().findFirst().orElseThrow();
    assertThat(header.trim().split("\\s{2,}"))
        .containsExactly("NAME", "SECRET NAME", "READY", "REASON", "VERSION", "AGE");
    String wide = ok("get", "ms", "-o", "wide").out().lines().findFirst().orElseThrow();
    assertThat(wide.trim().split("\\s{2,}"))
        .containsExactly(
            "NAME",
            "SECRET NAME",
            "READY",
            "REASON",
            "VERSION",
            "AGE",
            "KEY",
            "ROTATION",
            "LAST CHANGED");
    assertThat(table)
        .contains(
            "orders-api", "orders-db", "my-awesome-app", "signing-key", "production/OrdersApi");
    assertThat(table.lines().skip(1)).allSatisfy(row -> assertThat(row).contains("True", "Synced"));

    String yaml = ok("get", "ms", "orders-api", "-o", "yaml").out();
    assertThat(yaml)
        .contains("kind: ManagedSecret", "secretName: production/OrdersApi", "type: Ready");

    String described = ok("describe", "ms", "orders-api").out();
    assertThat(described)
        .contains(
            "Name:",
            "orders-api",
            "Secret Name",
            "Events:",
            "SecretCreated",
            "created Secret orders-api");

    String events = ok("get", "events").out();
    assertThat(events.lines().findFirst().orElseThrow())
        .contains("TYPE", "REASON", "OBJECT", "MESSAGE");
    assertThat(events).contains("SecretCreated", "managedsecret/orders-api");

    assertThat(ok("explain", "ms.spec.secretName").out()).contains("Secrets Manager name");

    // A taken name is AlreadyExists, which kubectl (client-go) recognises and names.
    Result taken = kubectl.run("create", "namespace", "default");
    assertThat(taken.exitCode()).isNotZero();
    assertThat(taken.err())
        .contains("Error from server (AlreadyExists): namespaces \"default\" already exists");
  }

  @Test
  void invalidManifestsAreRefusedWithTheFieldNamed() {
    Result both = apply(manifest("invalid-both", "secretString: abc\n  secretBinary: AAAA"));
    assertThat(both.exitCode()).isNotZero();
    assertThat(both.err())
        .contains("The ManagedSecret \"invalid-both\" is invalid", "spec: Invalid value")
        .contains("You can't specify both a binary secret value and a string secret value");

    Result tag =
        apply(
            manifest("invalid-tag", "secretString: abc\n  tags: [{key: \"aws:x\", value: \"1\"}]"));
    assertThat(tag.exitCode()).isNotZero();
    assertThat(tag.err())
        .contains("The ManagedSecret \"invalid-tag\" is invalid", "spec.tags[0]")
        .contains("Tag keys starting with aws: are reserved for AWS use.");

    Result name = apply(manifest("invalid-name", "secretName: \"has space\"\n  secretString: abc"));
    assertThat(name.exitCode()).isNotZero();
    assertThat(name.err())
        .contains(
            "The ManagedSecret \"invalid-name\" is invalid",
            "spec.secretName: Invalid value: \"has space\"");

    Result unknown = apply(manifest("invalid-field", "secretString: abc\n  secretStrin: typo"));
    assertThat(unknown.exitCode()).isNotZero();
    assertThat(unknown.err()).contains("unknown field \"spec.secretStrin\"");

    Result ssa =
        apply(manifest("invalid-ssa", "secretString: abc\n  secretBinary: AAAA"), "--server-side");
    assertThat(ssa.exitCode()).isNotZero();
    assertThat(ssa.err()).contains("The ManagedSecret \"invalid-ssa\" is invalid");

    assertThat(
            kubectl
                .run(
                    "get",
                    "ms",
                    "invalid-both",
                    "invalid-tag",
                    "invalid-name",
                    "invalid-field",
                    "invalid-ssa")
                .err())
        .contains("not found");
  }

  @Test
  void authCanIListShowsEverythingAllowedAsForAClusterAdmin() {
    // kubectl sends the SelfSubjectRulesReview in protobuf; there is no RBAC here.
    String rules = ok("auth", "can-i", "--list", "-n", "default").out();
    assertThat(rules.lines().map(l -> l.trim().split("\\s+")).toList())
        .anySatisfy(cols -> assertThat(cols).containsExactly("*.*", "[]", "[]", "[*]"))
        .anySatisfy(cols -> assertThat(cols).containsExactly("[*]", "[]", "[*]"));
  }

  @Test
  void kubectlDiffAndServerDryRunShowAChangeWithoutMakingIt() {
    String manifest =
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: dry-run, namespace: default}
        data: {mode: %s}
        """;
    ok(kubectl.runWithInput(manifest.formatted("slow"), "apply", "--server-side", "-f=-"));
    ok(kubectl.runWithInput(manifest.formatted("slow"), "diff", "-f=-"));
    Result diff = kubectl.runWithInput(manifest.formatted("fast"), "diff", "-f=-");
    assertThat(diff.exitCode()).as("%s", diff).isEqualTo(1); // 1: there are differences
    assertThat(diff.out()).contains("-  mode: slow").contains("+  mode: fast");
    String dryRun =
        ok(kubectl.runWithInput(
                manifest.formatted("fast"), "apply", "--server-side", "--dry-run=server", "-f=-"))
            .out();
    assertThat(dryRun).contains("configmap/dry-run serverside-applied (server dry run)");
    assertThat(ok("get", "configmap", "dry-run", "-o", "jsonpath={.data.mode}").out())
        .isEqualTo("slow");
  }

  @Test
  void kubectlCreateGeneratorsMakeANamespaceASecretAndAConfigMap() {
    // kubectl's create generators send protobuf; the value then comes in through fromSecret.
    ok("create", "namespace", "generated");
    ok(
        "create",
        "secret",
        "generic",
        "db-source",
        "-n",
        "generated",
        "--from-literal=password=s3cr3t-from-kubectl");
    ok("create", "configmap", "settings", "-n", "generated", "--from-literal=mode=fast");
    assertThat(
            ok("get", "configmap", "settings", "-n", "generated", "-o", "jsonpath={.data.mode}")
                .out())
        .isEqualTo("fast");

    ok(
        kubectl.runWithInput(
            """
            apiVersion: managedsecrets.dev/v1alpha1
            kind: ManagedSecret
            metadata:
              name: from-kubectl
              namespace: generated
            spec:
              fromSecret: {name: db-source, key: password}
            """,
            "apply",
            "-f=-"));
    ok("wait", "--for=condition=Ready", "ms/from-kubectl", "-n", "generated", "--timeout=60s");
    String b64 =
        ok("get", "secret", "from-kubectl", "-n", "generated", "-o", "jsonpath={.data}").out();
    assertThat(b64)
        .contains(
            Base64.getEncoder()
                .encodeToString("s3cr3t-from-kubectl".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void secretNameIsImmutableOnUpdate() {
    ok(apply(manifest("immutable-name", "secretName: team/first\n  secretString: abc")));
    Result changed =
        apply(manifest("immutable-name", "secretName: team/second\n  secretString: abc"));
    assertThat(changed.exitCode()).isNotZero();
    assertThat(changed.err()).contains("secretName is immutable");
  }

  @Test
  void reapplyingAnEditedManifestChangesTheProjectedSecret() {
    ok(apply(manifest("edited", "data: {password: first}")));
    awaitReady("edited");
    assertThat(decoded("edited", "password")).isEqualTo("first");
    String generation = ok("get", "ms", "edited", "-o", "jsonpath={.metadata.generation}").out();

    ok(apply(manifest("edited", "data: {password: second}")));
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(decoded("edited", "password")).isEqualTo("second"));
    assertThat(ok("get", "ms", "edited", "-o", "jsonpath={.metadata.generation}").out())
        .isNotEqualTo(generation);
  }

  @Test
  void serverSideApplyCreatesUpdatesAndRemovesWhatItNoLongerSends() {
    ok(
        apply(
            manifest("applied", "description: first\n  data: {user: one, extra: x}"),
            "--server-side"));
    awaitReady("applied");
    assertThat(decoded("applied", "extra")).isEqualTo("x");
    // The operator's writes (finalizer, status) come from caches that drop managedFields: the
    // server keeps the applier's ownership all the same.
    assertThat(
            ok("get", "ms", "applied", "-o", "jsonpath={.metadata.managedFields[*].manager}").out())
        .contains("kubectl");

    ok(apply(manifest("applied", "data: {user: two}"), "--server-side"));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(ok("get", "secret", "applied", "-o", "jsonpath={.data}").out())
                    .doesNotContain("extra"));
    assertThat(decoded("applied", "user")).isEqualTo("two");
    assertThat(ok("get", "ms", "applied", "-o", "jsonpath={.spec}").out())
        .doesNotContain("description");

    Result conflict =
        apply(
            manifest("applied", "data: {user: three}"),
            "--server-side",
            "--field-manager=someone-else");
    assertThat(conflict.exitCode()).isNotZero();
    assertThat(conflict.err()).contains("conflict", ".spec.data");
  }

  @Test
  void annotateAddsAnAnnotation() {
    ok(apply(manifest("annotated", "secretString: abc")));
    ok("annotate", "ms", "annotated", "example.com/owner=team-a");
    assertThat(
            ok(
                    "get",
                    "ms",
                    "annotated",
                    "-o",
                    "jsonpath={.metadata.annotations.example\\.com/owner}")
                .out())
        .isEqualTo("team-a");
    ok("annotate", "ms", "annotated", "example.com/owner-");
    assertThat(ok("get", "ms", "annotated", "-o", "jsonpath={.metadata.annotations}").out())
        .doesNotContain("example.com/owner");
  }

  @Test
  void deleteRemovesTheProjectedSecret() {
    ok(apply(manifest("deleted", "secretString: abc")));
    awaitReady("deleted");
    ok("get", "secret", "deleted");

    ok("delete", "ms", "deleted", "--timeout=60s");
    Result secret = kubectl.run("get", "secret", "deleted");
    assertThat(secret.exitCode()).isNotZero();
    assertThat(secret.err()).contains("NotFound");
    assertThat(kubectl.run("get", "ms", "deleted").err()).contains("NotFound");
  }

  @Test
  void labelSelectorsWithSetsWork() {
    ok(apply(labelled("sel-a", "blue")));
    ok(apply(labelled("sel-b", "green")));
    assertThat(ok("get", "ms", "-l", "colour in (blue,red)", "-o", "name").out())
        .contains("sel-a")
        .doesNotContain("sel-b");
    assertThat(ok("get", "ms", "-l", "colour notin (blue),colour", "-o", "name").out())
        .contains("sel-b")
        .doesNotContain("sel-a");
    assertThat(ok("get", "ms", "-l", "!colour", "-o", "name").out()).doesNotContain("sel-");
  }

  @Test
  void aManifestSealedWithThePublishedKeyIsAppliedBecomesReadyAndProjectsThePlaintext() {
    SealingPublicKey key = publishedSealingKey();
    String password = seal(key, "sealed-orders", "password", "s3cr3t w1th spaces");
    String manifest =
        manifest(
            "sealed-orders",
            "data: {username: orders}\n  sealedData: {password: " + password + "}");

    ok(apply(manifest));
    awaitReady("sealed-orders");
    assertThat(decoded("sealed-orders", "password")).isEqualTo("s3cr3t w1th spaces");
    assertThat(decoded("sealed-orders", "username")).isEqualTo("orders");
    assertThat(ok("get", "ms", "sealed-orders", "-o", "yaml").out())
        .contains(password)
        .doesNotContain("s3cr3t");

    // GitOps applies the same manifest again: nothing changes, not even the generation.
    String generation =
        ok("get", "ms", "sealed-orders", "-o", "jsonpath={.metadata.generation}").out();
    assertThat(ok(apply(manifest)).out()).contains("unchanged");
    assertThat(ok("get", "ms", "sealed-orders", "-o", "jsonpath={.metadata.generation}").out())
        .isEqualTo(generation);
  }

  @Test
  void aSealedValueCopiedIntoAnotherManagedSecretIsRefusedAndKubectlShowsWhy() throws Exception {
    String sealed = seal(publishedSealingKey(), "original", "password", "only-for-original");
    ok(apply(manifest("copied", "sealedData: {password: " + sealed + "}")));
    ok("wait", "--for=condition=Ready=False", "ms/copied", "--timeout=60s");
    JsonNode ready =
        JSON.readTree(
            ok("get", "ms", "copied", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")]}")
                .out());
    assertThat(ready.path("reason").asText()).isEqualTo("InvalidParameterException");
    assertThat(ready.path("message").asText())
        .startsWith(
            "sealed key 1 of 1 (sealedData) was sealed for another ManagedSecret than copied")
        .doesNotContain("password");
    assertThat(kubectl.run("get", "secret", "copied").err()).contains("NotFound");

    Result plain = apply(manifest("not-sealed", "sealedData: {password: plain-text}"));
    assertThat(plain.exitCode()).isNotZero();
    assertThat(plain.err())
        .contains("The ManagedSecret \"not-sealed\" is invalid", "spec.sealedData");
  }

  /**
   * The current sealing public key as anyone who may read the published ConfigMap gets it (its PEM
   * and its id in keys.json agree).
   */
  private static SealingPublicKey publishedSealingKey() {
    SealingPublicKey key = SealingPublicKey.fromPem(published(PublishedSealingKeys.CURRENT_PEM));
    assertThat(PublishedSealingKeys.parse(published(PublishedSealingKeys.KEYS)).currentKeyId())
        .isEqualTo(key.keyId());
    return key;
  }

  /** One key of the ConfigMap the operator publishes its sealing public keys in. */
  private static String published(String key) {
    return ok(
            "get",
            "configmap",
            PublishedSealingKeys.CONFIG_MAP,
            "-n",
            "managedsecret-system",
            "-o",
            "jsonpath={.data." + key.replace(".", "\\.") + "}")
        .out();
  }

  /** What kubectl managedsecret seal does for one key of a ManagedSecret in default. */
  private static String seal(SealingPublicKey key, String name, String dataKey, String value) {
    return Sealer.seal(
        key,
        SealingBinding.strict("default", name, SealingTarget.data(dataKey)),
        value.getBytes(StandardCharsets.UTF_8));
  }

  private static String manifest(String name, String spec) {
    return """
        apiVersion: managedsecrets.dev/v1alpha1
        kind: ManagedSecret
        metadata:
          name: %s
          namespace: default
        spec:
          %s
        """
        .formatted(name, spec);
  }

  private static String labelled(String name, String colour) {
    return """
        apiVersion: managedsecrets.dev/v1alpha1
        kind: ManagedSecret
        metadata:
          name: %s
          namespace: default
          labels: {colour: %s}
        spec:
          secretString: abc
        """
        .formatted(name, colour);
  }
}
