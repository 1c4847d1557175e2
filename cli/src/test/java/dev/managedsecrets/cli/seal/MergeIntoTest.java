package dev.managedsecrets.cli.seal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.managedsecrets.cli.Cli;
import dev.managedsecrets.cli.TestSealingKey;
import dev.managedsecrets.core.sealing.SealingBinding;
import dev.managedsecrets.core.sealing.SealingTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code seal --merge-into}: plain values sealed into a sealed manifest in place, bound to its
 * metadata; every other sealed value stays byte for byte, and a change of one value changes only
 * its line.
 */
class MergeIntoTest {

  static final YAMLMapper YAML = new YAMLMapper();

  @TempDir Path dir;

  final Cli cli = new Cli(Map.of("HOME", "/nonexistent"));
  final TestSealingKey sealing = new TestSealingKey();
  Path cert;
  Path sealed;

  @BeforeEach
  void sealAManifest() throws Exception {
    cert = sealing.writeCert(dir);
    Cli.Result r =
        cli.runWithInput(
            """
            # orders: committed to Git
            apiVersion: managedsecrets.dev/v1alpha1
            kind: ManagedSecret
            metadata:
              name: orders-db
              namespace: production
            spec:
              data:
                username: saanvi
                password: old-password
            """,
            "seal",
            "--cert",
            cert.toString());
    assertThat(r.code()).as(r.toString()).isZero();
    sealed = dir.resolve("orders.yaml");
    // A comment, as people keep them in Git.
    Files.writeString(sealed, "# orders: committed to Git\n" + r.out());
  }

  String open(String text, String k) {
    return sealing.open(
        text, SealingBinding.strict("production", "orders-db", SealingTarget.data(k)));
  }

  Cli.Result merge(String input) {
    return cli.runWithInput(
        input, "seal", "--cert", cert.toString(), "--merge-into", sealed.toString());
  }

  @Test
  void aChangedKeyIsSealedInItsPlaceAndNothingElseOfTheFileChanges() throws Exception {
    String before = Files.readString(sealed);
    JsonNode old = YAML.readTree(before).get("spec").get("sealedData");
    Cli.Result r = merge("spec:\n  data:\n    password: new-password\n");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).isEmpty();
    String after = Files.readString(sealed);
    JsonNode now = YAML.readTree(after).get("spec").get("sealedData");
    assertThat(now.get("username").asText()).isEqualTo(old.get("username").asText());
    assertThat(open(now.get("password").asText(), "password")).isEqualTo("new-password");
    assertThat(after)
        .isEqualTo(before.replace(old.get("password").asText(), now.get("password").asText()))
        .startsWith("# orders: committed to Git\n");
  }

  @Test
  void aNewKeyIsAddedAndTheOtherSealedValuesStayByteForByte() throws Exception {
    JsonNode old = YAML.readTree(Files.readString(sealed)).get("spec").get("sealedData");
    Cli.Result r =
        merge(
            """
            apiVersion: managedsecrets.dev/v1alpha1
            kind: ManagedSecret
            metadata: {name: orders-db}
            spec:
              data:
                host-key: added
            """);
    assertThat(r.code()).as(r.toString()).isZero();
    JsonNode now = YAML.readTree(Files.readString(sealed)).get("spec").get("sealedData");
    assertThat(now.get("username")).isEqualTo(old.get("username"));
    assertThat(now.get("password")).isEqualTo(old.get("password"));
    assertThat(open(now.get("host-key").asText(), "host-key")).isEqualTo("added");
    assertThat(Files.readString(sealed)).doesNotContain("added");
  }

  @Test
  void valuesForAnotherManagedSecretAreRefusedAndTheFileIsLeftAsItWas() throws Exception {
    String before = Files.readString(sealed);
    Cli.Result r =
        merge("metadata: {name: orders-db, namespace: staging}\nspec:\n  data:\n    password: x\n");
    assertThat(r.code()).isEqualTo(252);
    assertThat(r.err())
        .isEqualTo(
            "error: the values to merge are for metadata.namespace staging, but the file to merge"
                + " into is for production: a sealed value opens only where it was sealed for\n");
    assertThat(Files.readString(sealed)).isEqualTo(before);

    Cli.Result nothing = merge("spec:\n  description: no value\n");
    assertThat(nothing.code()).isEqualTo(252);
    assertThat(Files.readString(sealed)).isEqualTo(before);
  }

  @Test
  void aWholeValueCannotJoinKeyValuePairs() throws Exception {
    String before = Files.readString(sealed);
    Cli.Result r = merge("spec:\n  secretString: whole\n");
    assertThat(r.code()).isEqualTo(254);
    assertThat(r.err())
        .contains("can't be combined with key/value fields")
        .doesNotContain("whole\n");
    assertThat(Files.readString(sealed)).isEqualTo(before);
  }
}
