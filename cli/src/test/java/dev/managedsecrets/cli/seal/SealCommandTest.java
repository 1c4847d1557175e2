package dev.managedsecrets.cli.seal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.managedsecrets.cli.Cli;
import dev.managedsecrets.cli.TestSealingKey;
import dev.managedsecrets.core.sealing.PublishedSealingKeys;
import dev.managedsecrets.core.sealing.SealedValue;
import dev.managedsecrets.core.sealing.SealedValueException;
import dev.managedsecrets.core.sealing.SealingBinding;
import dev.managedsecrets.core.sealing.SealingPrivateKey;
import dev.managedsecrets.core.sealing.SealingScope;
import dev.managedsecrets.core.sealing.SealingTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code seal} offline, with a public key file: every plain value of a ManagedSecret manifest is
 * sealed for its namespace, name and key, the plaintext removed, other documents passed through;
 * what it cannot seal is refused with nothing printed.
 */
class SealCommandTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final YAMLMapper YAML = new YAMLMapper();

  @TempDir Path dir;

  final Cli cli = new Cli(Map.of("HOME", "/nonexistent"));
  final TestSealingKey sealing = new TestSealingKey();
  final SealingPrivateKey key = sealing.key;

  static final String MANIFEST =
      """
      apiVersion: managedsecrets.dev/v1alpha1
      kind: ManagedSecret
      metadata:
        name: orders-db
        namespace: production
      spec:
        description: Orders database
        data:
          username: saanvi
          password: aDM4N3*!8TT
        target:
          name: orders
      """;

  Path keyFile() {
    return sealing.writeCert(dir);
  }

  String open(String text, SealingBinding binding) {
    return sealing.open(text, binding);
  }

  Cli.Result seal(String input, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("seal", "--cert", keyFile().toString()));
    all.addAll(List.of(args));
    return cli.runWithInput(input, all.toArray(String[]::new));
  }

  @Test
  void sealsEveryPlainValueBoundToTheNamespaceTheNameAndTheKeyAndRemovesThePlaintext()
      throws Exception {
    Cli.Result r = seal(MANIFEST);
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).doesNotContain("saanvi", "aDM4N3*!8TT", "  data:");
    JsonNode out = YAML.readTree(r.out());
    JsonNode spec = out.get("spec");
    assertThat(spec.has("data")).isFalse();
    assertThat(spec.get("sealedScope").asText()).isEqualTo("strict");
    assertThat(spec.get("description").asText()).isEqualTo("Orders database");
    assertThat(spec.get("target").get("name").asText()).isEqualTo("orders");
    List<String> fields = new ArrayList<>();
    spec.fieldNames().forEachRemaining(fields::add);
    assertThat(fields).containsExactly("description", "sealedScope", "sealedData", "target");
    JsonNode sealed = spec.get("sealedData");
    assertThat(open(sealed.get("username").asText(), strict("username"))).isEqualTo("saanvi");
    assertThat(open(sealed.get("password").asText(), strict("password"))).isEqualTo("aDM4N3*!8TT");
    assertThat(SealedValue.parse(sealed.get("password").asText(), "v").keyId())
        .isEqualTo(key.keyId());
    // another key of the same object, or another object, does not open it
    Assertions.assertThatThrownBy(() -> open(sealed.get("password").asText(), strict("username")))
        .isInstanceOf(SealedValueException.class);
    Assertions.assertThatThrownBy(
            () ->
                open(
                    sealed.get("password").asText(),
                    SealingBinding.strict("production", "other", SealingTarget.data("password"))))
        .isInstanceOf(SealedValueException.class);
  }

  static SealingBinding strict(String key) {
    return SealingBinding.strict("production", "orders-db", SealingTarget.data(key));
  }

  @Test
  void wholeValuesAreSealedAsSealedSecretStringAndTheBytesOfSecretBinary() throws Exception {
    String input =
        """
        apiVersion: managedsecrets.dev/v1alpha1
        kind: ManagedSecret
        metadata: {name: text, namespace: production}
        spec: {secretString: '{"api":"key-1"}'}
        ---
        apiVersion: managedsecrets.dev/v1alpha1
        kind: ManagedSecret
        metadata: {name: bytes, namespace: production}
        spec: {secretBinary: AAEC/w==}
        """;
    Cli.Result r = seal(input);
    assertThat(r.code()).as(r.toString()).isZero();
    List<JsonNode> docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(r.out()).readAll();
    assertThat(docs).hasSize(2);
    JsonNode text = docs.get(0).get("spec");
    assertThat(text.has("secretString")).isFalse();
    assertThat(
            open(
                text.get("sealedSecretString").asText(),
                SealingBinding.strict("production", "text", SealingTarget.secretString())))
        .isEqualTo("{\"api\":\"key-1\"}");
    JsonNode bytes = docs.get(1).get("spec");
    assertThat(bytes.has("secretBinary")).isFalse();
    byte[] opened =
        sealing.openBytes(
            bytes.get("sealedSecretBinary").asText(),
            SealingBinding.strict("production", "bytes", SealingTarget.secretBinary()));
    assertThat(opened).containsExactly(0, 1, 2, 0xff);
  }

  @Test
  void otherDocumentsPassThroughAndJsonStaysJsonUnlessOutputSaysOtherwise() throws Exception {
    String input =
        MANIFEST
            + """
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: plain, namespace: production}
            data: {color: blue}
            """;
    Cli.Result r = seal(input);
    assertThat(r.code()).as(r.toString()).isZero();
    List<JsonNode> docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(r.out()).readAll();
    assertThat(docs.get(1))
        .isEqualTo(
            YAML.readTree(
                "{apiVersion: v1, kind: ConfigMap, metadata: {name: plain,"
                    + " namespace: production}, data: {color: blue}}"));

    // a field this plugin does not know (from a newer CRD) stays as it is
    Cli.Result future = seal(MANIFEST.replace("spec:\n", "spec:\n  aNewerField: {a: 1}\n"));
    assertThat(future.code()).as(future.toString()).isZero();
    assertThat(YAML.readTree(future.out()).at("/spec/aNewerField/a").asInt()).isEqualTo(1);

    String json = JSON.writeValueAsString(YAML.readTree(MANIFEST));
    Cli.Result asJson = seal(json);
    assertThat(asJson.out()).startsWith("{\n    \"apiVersion\"");
    assertThat(JSON.readTree(asJson.out()).get("spec").has("sealedData")).isTrue();
    Cli.Result asYaml = seal(json, "-o", "yaml");
    assertThat(asYaml.out()).startsWith("apiVersion: managedsecrets.dev/v1alpha1\n");
  }

  @Test
  void aManifestWithoutNamespaceIsBoundToTheOneGivenWhichIsWrittenIntoIt() throws Exception {
    String input = MANIFEST.replace("  namespace: production\n", "");
    Cli.Result r = seal(input, "-n", "staging", "-f", "-");
    assertThat(r.code()).as(r.toString()).isZero();
    JsonNode out = YAML.readTree(r.out());
    assertThat(out.get("metadata").get("namespace").asText()).isEqualTo("staging");
    assertThat(r.out()).contains("  name: orders-db\n  namespace: staging\n");
    assertThat(
            open(
                out.get("spec").get("sealedData").get("username").asText(),
                SealingBinding.strict("staging", "orders-db", SealingTarget.data("username"))))
        .isEqualTo("saanvi");

    Cli.Result withoutAny = seal(input);
    assertThat(withoutAny.code()).isEqualTo(252);
    assertThat(withoutAny.out()).isEmpty();
    assertThat(withoutAny.err())
        .isEqualTo(
            "error: ManagedSecret orders-db names no namespace: set metadata.namespace or pass"
                + " -n\n");
  }

  @Test
  void scopeNamespaceWideBindsToTheNamespaceAndKeyOnly() throws Exception {
    Cli.Result r = seal(MANIFEST, "--scope", "namespace-wide");
    assertThat(r.code()).as(r.toString()).isZero();
    JsonNode spec = YAML.readTree(r.out()).get("spec");
    assertThat(spec.get("sealedScope").asText()).isEqualTo("namespace-wide");
    String text = spec.get("sealedData").get("username").asText();
    assertThat(
            open(
                text,
                new SealingBinding(
                    SealingScope.NAMESPACE_WIDE,
                    "production",
                    "any-other",
                    SealingTarget.data("username"))))
        .isEqualTo("saanvi");
    Assertions.assertThatThrownBy(() -> open(text, strict("username")))
        .isInstanceOf(SealedValueException.class);

    // Sealed again with a plain value added, the manifest's scope holds and the others stay.
    Cli.Result more =
        seal(r.out().replace("  sealedData:\n", "  data:\n    extra: x\n  sealedData:\n"));
    assertThat(more.code()).as(more.toString()).isZero();
    JsonNode again = YAML.readTree(more.out()).get("spec");
    assertThat(again.get("sealedScope").asText()).isEqualTo("namespace-wide");
    assertThat(again.get("sealedData").get("username").asText()).isEqualTo(text);
    assertThat(
            open(
                again.get("sealedData").get("extra").asText(),
                SealingBinding.namespaceWide("production", SealingTarget.data("extra"))))
        .isEqualTo("x");
  }

  @Test
  void aScopeThatWouldNotOpenTheSealedValuesAlreadyThereIsRefused() throws Exception {
    String sealed = seal(MANIFEST).out();
    String more = sealed.replace("spec:\n", "spec:\n  secretString: x\n");
    Cli.Result r = seal(more, "--scope", "namespace-wide");
    assertThat(r.code()).isEqualTo(252);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .startsWith(
            "error: ManagedSecret orders-db holds values sealed with scope strict"
                + " (spec.sealedScope); --scope namespace-wide would not open them.");
  }

  @Test
  void whatCannotBeSealedIsRefusedWithNothingPrintedAndNoValueInTheMessage() throws Exception {
    Cli.Result noName = seal(MANIFEST.replace("  name: orders-db\n", ""));
    assertThat(noName.code()).isEqualTo(252);
    assertThat(noName.out()).isEmpty();
    assertThat(noName.err()).startsWith("error: a ManagedSecret to seal needs metadata.name");

    Cli.Result number = seal(MANIFEST.replace("password: aDM4N3*!8TT", "port: 5432"));
    assertThat(number.code()).isEqualTo(252);
    assertThat(number.err())
        .isEqualTo("error: a value of spec.data is not a string: quote it in YAML\n");

    Cli.Result tooLarge =
        seal(MANIFEST.replace("password: aDM4N3*!8TT", "password: " + "x".repeat(65537)));
    assertThat(tooLarge.code()).isEqualTo(254);
    assertThat(tooLarge.out()).isEmpty();
    assertThat(tooLarge.err())
        .isEqualTo(
            "An error occurred (ValidationException) when calling the seal operation: A value of"
                + " spec.data is larger than 65536 bytes, the most a secret value holds.\n");
    Cli.Result wholeTooLarge =
        seal(
            MANIFEST.replace(
                "  data:\n    username: saanvi\n    password: aDM4N3*!8TT\n",
                "  secretString: " + "x".repeat(65537) + "\n"));
    assertThat(wholeTooLarge.code()).isEqualTo(254);
    assertThat(wholeTooLarge.out()).isEmpty();
    assertThat(wholeTooLarge.err()).contains("(ValidationException)").doesNotContain("xxxx");

    Cli.Result none = seal("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    assertThat(none.code()).isEqualTo(252);
    assertThat(none.err())
        .isEqualTo("error: no ManagedSecret (apiVersion managedsecrets.dev/v1alpha1) in stdin\n");

    Cli.Result notYaml = seal("spec: [unclosed\n  password: hunter2");
    assertThat(notYaml.code()).isEqualTo(252);
    assertThat(notYaml.err()).startsWith("error: stdin is not YAML").doesNotContain("hunter2");
  }

  @Test
  void theKeyIsReadFromFetchCertsFileTheOperatorsPemOrItsKeysJson() throws Exception {
    Path pem = dir.resolve("current.pem");
    Files.writeString(pem, key.publicKey().toPem());
    Path json = dir.resolve("keys.json");
    SealingPrivateKey retired = SealingPrivateKey.generate();
    Files.writeString(
        json,
        new PublishedSealingKeys(
                key.keyId(),
                List.of(
                    new PublishedSealingKeys.Entry(
                        key.keyId(), Instant.now(), null, key.publicKey()),
                    new PublishedSealingKeys.Entry(
                        retired.keyId(),
                        Instant.now().minusSeconds(60),
                        Instant.now(),
                        retired.publicKey())))
            .toJson());
    for (Path file : List.of(keyFile(), pem, json)) {
      Cli.Result r = cli.runWithInput(MANIFEST, "seal", "--cert", file.toString());
      assertThat(r.code()).as(r.toString()).isZero();
      String text = YAML.readTree(r.out()).get("spec").get("sealedData").get("username").asText();
      assertThat(SealedValue.parse(text, "v").keyId()).isEqualTo(key.keyId());
    }

    Path manifest = dir.resolve("orders.yaml");
    Files.writeString(manifest, MANIFEST);
    Cli.Result fromStdin =
        cli.runWithInput(
            Files.readString(keyFile()), "seal", "--cert", "-", "-f", manifest.toString());
    assertThat(fromStdin.code()).as(fromStdin.toString()).isZero();
    assertThat(cli.runWithInput(MANIFEST, "seal", "--cert", "-").code()).isEqualTo(252);

    Path edited = dir.resolve("edited.pem");
    Files.writeString(edited, Files.readString(keyFile()).replace(key.keyId(), "0123456789abcdef"));
    Cli.Result r = cli.runWithInput(MANIFEST, "seal", "--cert", edited.toString());
    assertThat(r.code()).isEqualTo(252);
    assertThat(r.err())
        .isEqualTo(
            "Error parsing parameter '--cert': its Key-Id line says 0123456789abcdef, but the"
                + " key's id is "
                + key.keyId()
                + ": the file was edited; fetch it again\n");
  }

  @Test
  void inPlaceReplacesThePlainFileWithTheSealedOne() throws Exception {
    Path file = dir.resolve("orders.yaml");
    Files.writeString(file, MANIFEST);
    Cli.Result r = seal("", "-f", file.toString(), "--in-place");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(Files.readString(file)).contains("sealedData:").doesNotContain("saanvi");
  }
}
