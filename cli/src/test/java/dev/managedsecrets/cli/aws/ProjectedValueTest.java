package dev.managedsecrets.cli.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.api.v1alpha1.DatabaseSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import dev.managedsecrets.api.v1alpha1.TargetSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ProjectedValueTest {

  static ManagedSecret managedSecret(ManagedSecretSpec spec, String versionId) {
    ManagedSecret ms = new ManagedSecret();
    ms.getMetadata().setName("x");
    ms.getMetadata().setGeneration(2L);
    ms.setSpec(spec);
    ManagedSecretStatus status = new ManagedSecretStatus();
    status.versionId = versionId;
    status.observedGeneration = 2L;
    ms.setStatus(status);
    return ms;
  }

  static Secret projected(String versionId, Map<String, String> data) {
    Map<String, String> encoded = new TreeMap<>();
    data.forEach(
        (k, v) ->
            encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder()
        .withNewMetadata()
        .withName("x")
        .addToAnnotations("managedsecrets.dev/version-id", versionId)
        .endMetadata()
        .withData(encoded)
        .build();
  }

  @Test
  void theSpecsJsonTextIsReturnedAsWrittenWhenItIsThePublishedValue() {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.secretString = "{ \"b\": 1,\n \"a\": \"x\" }";
    ProjectedValue v =
        ProjectedValue.of(managedSecret(spec, "v2"), projected("v2", Map.of("a", "x", "b", "1")));
    assertThat(v.text()).isEqualTo(spec.secretString);
  }

  @Test
  void aRolledBackVersionIsRebuiltFromTheProjectedKeysNotTakenFromTheSpec() {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.secretString = "{\"a\":\"new\"}";
    spec.versionStages = Map.of("AWSCURRENT", "v1");
    ProjectedValue v =
        ProjectedValue.of(managedSecret(spec, "v1"), projected("v1", Map.of("a", "old")));
    assertThat(v.text()).isEqualTo("{\"a\":\"old\"}");
  }

  @Test
  void keyValueFieldsAreRebuiltAsSortedJsonWithoutTemplateKeysAndWithANumericPort() {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.data = Map.of("username", "app");
    spec.database = new DatabaseSpec();
    spec.database.engine = "postgres";
    spec.database.host = "db";
    spec.target = new TargetSpec();
    spec.target.template = Map.of("URL", "postgres://{{username}}@{{host}}");
    Secret secret =
        projected(
            "v1",
            Map.of(
                "username",
                "app",
                "engine",
                "postgres",
                "host",
                "db",
                "port",
                "5432",
                "URL",
                "postgres://app@db"));
    assertThat(ProjectedValue.of(managedSecret(spec, "v1"), secret).text())
        .isEqualTo("{\"engine\":\"postgres\",\"host\":\"db\",\"port\":5432,\"username\":\"app\"}");
  }

  @Test
  void aSingleSecretStringOrSecretBinaryKeyIsTheWholeValue() {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    assertThat(
            ProjectedValue.of(managedSecret(spec, "v"), projected("v", Map.of("secretString", "t")))
                .text())
        .isEqualTo("t");
    ProjectedValue binary =
        ProjectedValue.of(
            managedSecret(spec, "v"), projected("v", Map.of("secretBinary", "\u0001")));
    assertThat(binary.text()).isNull();
    assertThat(binary.binary()).isEqualTo("AQ==");
  }

  @Test
  void itsTextNeverShowsTheValue() {
    assertThat(new ProjectedValue("s3cr3t", null).toString()).doesNotContain("s3cr3t");
  }
}
