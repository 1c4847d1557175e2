package dev.managedsecrets.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretReplica;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl get} shows a kind's printer columns in the CRD's order: after NAME what the object
 * is, then whether it works, AGE last; {@code -o wide} adds the detail (priority 1) after AGE. The
 * generator sorts the columns by jsonPath, the build puts them back in the annotations' order
 * (api/src/build/java/PrinterColumnOrder.java).
 */
class PrinterColumnsTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String READY = ".status.conditions[?(@.type==\"Ready\")].status";
  private static final String REASON = ".status.conditions[?(@.type==\"Ready\")].reason";
  private static final String AGE = ".metadata.creationTimestamp";

  record Column(String name, String jsonPath, String type, int priority) {}

  private static Column column(String name, String jsonPath) {
    return new Column(name, jsonPath, "string", 0);
  }

  private static Column wide(String name, String jsonPath, String type) {
    return new Column(name, jsonPath, type, 1);
  }

  private static List<Column> generatedColumns(Class<? extends HasMetadata> type)
      throws IOException {
    Path crd =
        Path.of(System.getProperty("crds.generated"))
            .resolve(HasMetadata.getPlural(type) + "." + HasMetadata.getGroup(type) + "-v1.yml");
    JsonNode version = YAML.readTree(crd.toFile()).path("spec").path("versions").path(0);
    List<Column> columns = new ArrayList<>();
    for (JsonNode c : version.path("additionalPrinterColumns")) {
      columns.add(
          new Column(
              c.path("name").asText(),
              c.path("jsonPath").asText(),
              c.path("type").asText(),
              c.path("priority").asInt()));
    }
    return columns;
  }

  @Test
  void managedSecretColumnsAreInTheOrderPeopleRead() throws IOException {
    assertThat(generatedColumns(ManagedSecret.class))
        .containsExactly(
            column("Secret Name", ".status.name"),
            column("Ready", READY),
            column("Reason", REASON),
            column("Version", ".status.versionId"),
            new Column("Age", AGE, "date", 0),
            wide("Key", ".status.kmsKeyId", "string"),
            wide("Rotation", ".status.nextRotationDate", "string"),
            wide("Last Changed", ".status.lastChangedDate", "date"));
  }

  @Test
  void kmsKeyColumnsAreInTheOrderPeopleRead() throws IOException {
    assertThat(generatedColumns(KmsKey.class))
        .containsExactly(
            column("Key Id", ".status.keyId"),
            column("Provider", ".spec.provider"),
            column("State", ".status.keyState"),
            column("Ready", READY),
            column("Reason", REASON),
            new Column("Age", AGE, "date", 0),
            wide("Materials", ".status.keyMaterialVersions", "integer"),
            wide("Rotation", ".status.nextRotationDate", "string"));
  }

  @Test
  void managedSecretReplicaColumnsAreInTheOrderPeopleRead() throws IOException {
    assertThat(generatedColumns(ManagedSecretReplica.class))
        .containsExactly(
            column("Primary", ".spec.primaryRegion"),
            column("Ready", READY),
            column("Reason", REASON),
            column("Version", ".status.versionId"),
            new Column("Age", AGE, "date", 0),
            wide("Primary ARN", ".spec.primaryArn", "string"));
  }

  @Test
  void everyKindListsItsColumnsInTheOrderItsAnnotationsDeclareThem() throws IOException {
    for (Class<? extends HasMetadata> type :
        List.of(ManagedSecret.class, KmsKey.class, ManagedSecretReplica.class)) {
      List<String> declared =
          Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
              .map(AdditionalPrinterColumn::name)
              .toList();
      assertThat(generatedColumns(type).stream().map(Column::name).toList())
          .as("printer columns of %s", type.getSimpleName())
          .isEqualTo(declared);
    }
  }
}
