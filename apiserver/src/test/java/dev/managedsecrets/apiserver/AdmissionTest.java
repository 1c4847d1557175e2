package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.InputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AdmissionTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static ResourceType managedSecret;
  private final Admission admission = new Admission();

  @BeforeAll
  static void loadCrd() throws Exception {
    try (InputStream in =
        AdmissionTest.class
            .getClassLoader()
            .getResourceAsStream(EmbeddedApiServer.CRD_RESOURCES.get(0))) {
      JsonNode crd = YAML.readTree(in);
      managedSecret = ResourceType.fromCrd(crd).get(0);
    }
  }

  private static ObjectNode ms(String spec) throws Exception {
    return (ObjectNode)
        YAML.readTree(
            "apiVersion: managedsecrets.dev/v1alpha1\nkind: ManagedSecret\n"
                + "metadata: {name: x, namespace: default}\nspec: "
                + spec);
  }

  private String refusal(ObjectNode object, JsonNode old) {
    ApiException e =
        catchThrowableOfType(
            ApiException.class, () -> admission.admit(managedSecret, object, old, false, false));
    assertThat(e).as("refused").isNotNull();
    return e.getMessage();
  }

  @Test
  void acceptsAValidManagedSecret() throws Exception {
    assertThatCode(
            () ->
                admission.admit(
                    managedSecret,
                    ms("{secretString: abc, tags: [{key: team}]}"),
                    null,
                    true,
                    false))
        .doesNotThrowAnyException();
  }

  @Test
  void refusesBothWholeValuesWithTheRuleMessage() throws Exception {
    assertThat(refusal(ms("{secretString: a, secretBinary: AAAA}"), null))
        .startsWith("ManagedSecret.managedsecrets.dev \"x\" is invalid: [spec: Invalid value:")
        .contains("You can't specify both a binary secret value and a string secret value");
  }

  @Test
  void refusesReservedTagKeysWhateverTheirCase() throws Exception {
    assertThat(refusal(ms("{secretString: a, tags: [{key: team}, {key: AWS:owner}]}"), null))
        .contains("spec.tags[1]: Invalid value: \"object\": Tag keys starting with aws:");
  }

  @Test
  void refusesAPatternMismatchAndARangeNamingTheFields() throws Exception {
    String message = refusal(ms("{secretName: 'a b', recoveryWindowInDays: 40}"), null);
    assertThat(message)
        .contains("spec.secretName: Invalid value: \"a b\": spec.secretName in body should match")
        .contains(
            "spec.recoveryWindowInDays: Invalid value: 40: spec.recoveryWindowInDays in body should"
                + " be less than or equal to 30");
  }

  @Test
  void transitionRulesSeeTheOldObjectOnlyOnUpdate() throws Exception {
    ObjectNode old = ms("{secretName: team/a, secretString: x}");
    assertThatCode(() -> admission.admit(managedSecret, old.deepCopy(), null, false, false))
        .doesNotThrowAnyException();
    assertThat(refusal(ms("{secretName: team/b, secretString: x}"), old))
        .contains("secretName is immutable");
  }

  @Test
  void prunesUnknownFieldsOrRefusesThemWhenStrict() throws Exception {
    ObjectNode pruned = ms("{secretString: a, colour: blue}");
    admission.admit(managedSecret, pruned, null, false, false);
    assertThat(pruned.path("spec").has("colour")).isFalse();

    ApiException strict =
        catchThrowableOfType(
            ApiException.class,
            () ->
                admission.admit(
                    managedSecret, ms("{secretString: a, colour: blue}"), null, true, false));
    assertThat(strict.code).isEqualTo(400);
    assertThat(strict.getMessage()).contains("unknown field \"spec.colour\"");
  }

  @Test
  void tenThousandTagsAreRefusedByTheSchemaAloneWithNoCelRuleRun() throws Exception {
    // Duplicate and reserved keys: each CEL rule on tags would add a cause (or run out of its
    // budget) if it ran; the schema's maxItems refuses the list first.
    StringBuilder tags = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      tags.append(i == 0 ? "" : ", ").append("{key: 'aws:dup'}");
    }
    ApiException e =
        catchThrowableOfType(
            ApiException.class,
            () ->
                admission.admit(
                    managedSecret,
                    ms("{secretString: a, tags: [" + tags + "]}"),
                    null,
                    false,
                    false));
    assertThat(e.code).isEqualTo(422);
    assertThat(e.getMessage())
        .isEqualTo(
            "ManagedSecret.managedsecrets.dev \"x\" is invalid: spec.tags: Too many: 10000: must have"
                + " at most 50 items");
  }

  @Test
  void celRulesRunOnceTheSchemaPasses() throws Exception {
    assertThat(refusal(ms("{secretString: a, tags: [{key: k}, {key: k}]}"), null))
        .isEqualTo(
            "ManagedSecret.managedsecrets.dev \"x\" is invalid: spec.tags: Invalid value: \"array\":"
                + " Tag keys must be unique.");
  }

  @Test
  void aReplicaRegionListedTwiceIsRefusedWithTheRuleMessage() throws Exception {
    assertThatCode(
            () ->
                admission.admit(
                    managedSecret,
                    ms(
                        "{secretString: a, forceOverwriteReplicaSecret: true, replicaRegions:"
                            + " [{region: eu-west-1, kmsKeyId: alias/orders}, {region: us-east-2}]}"),
                    null,
                    true,
                    false))
        .doesNotThrowAnyException();
    assertThat(
            refusal(
                ms(
                    "{secretString: a, replicaRegions: [{region: eu-west-1}, {region: us-east-2},"
                        + " {region: eu-west-1, kmsKeyId: alias/other}]}"),
                null))
        .isEqualTo(
            "ManagedSecret.managedsecrets.dev \"x\" is invalid: spec.replicaRegions: Invalid value:"
                + " \"array\": Each replica region may be listed only once.");
  }

  @Test
  void replicaRegionsAreBoundedAndNamedByThePattern() throws Exception {
    StringBuilder eleven = new StringBuilder();
    for (int i = 0; i < 11; i++) {
      eleven.append(i == 0 ? "" : ", ").append("{region: r").append(i).append('}');
    }
    assertThat(refusal(ms("{secretString: a, replicaRegions: [" + eleven + "]}"), null))
        .isEqualTo(
            "ManagedSecret.managedsecrets.dev \"x\" is invalid: spec.replicaRegions: Too many: 11:"
                + " must have at most 10 items");
    assertThat(refusal(ms("{secretString: a, replicaRegions: [{region: EU_West}]}"), null))
        .contains("spec.replicaRegions[0].region: Invalid value: \"EU_West\"");
    assertThat(refusal(ms("{secretString: a, replicaRegions: [{kmsKeyId: alias/k}]}"), null))
        .contains("spec.replicaRegions[0].region: Required value");
  }

  @Test
  void aManagedSecretReplicaNeedsItsPrimaryAndSealedPayload() throws Exception {
    ResourceType replica;
    try (InputStream in =
        AdmissionTest.class
            .getClassLoader()
            .getResourceAsStream(EmbeddedApiServer.CRD_RESOURCES.get(2))) {
      replica = ResourceType.fromCrd(YAML.readTree(in)).get(0);
    }
    ObjectNode good =
        (ObjectNode)
            YAML.readTree(
                "apiVersion: managedsecrets.dev/v1alpha1\nkind: ManagedSecretReplica\n"
                    + "metadata: {name: x, namespace: default}\n"
                    + "spec: {primaryRegion: us-east-1, primaryArn: 'arn:k8s:secretsmanager:us-east-1:"
                    + "123456789012:secret:default/x-AbCdEf', sealed: msv1.abc, forceOverwrite: true}");
    assertThatCode(() -> admission.admit(replica, good, null, true, false))
        .doesNotThrowAnyException();
    ObjectNode missing =
        (ObjectNode)
            YAML.readTree(
                "apiVersion: managedsecrets.dev/v1alpha1\nkind: ManagedSecretReplica\n"
                    + "metadata: {name: x, namespace: default}\nspec: {primaryRegion: us-east-1}");
    ApiException e =
        catchThrowableOfType(
            ApiException.class, () -> admission.admit(replica, missing, null, true, false));
    assertThat(e.getMessage())
        .contains("spec.primaryArn: Required value")
        .contains("spec.sealed: Required value");
  }

  @Test
  void namesMustBeDnsSubdomains() throws Exception {
    ObjectNode bad = ms("{secretString: a}");
    bad.withObjectProperty("metadata").put("name", "Bad_Name");
    ApiException e =
        catchThrowableOfType(ApiException.class, () -> Admission.checkName(managedSecret, bad));
    assertThat(e.getMessage()).contains("metadata.name: Invalid value: \"Bad_Name\"");
    assertThatCode(() -> Admission.checkName(managedSecret, ms("{secretString: a}")))
        .doesNotThrowAnyException();
  }
}
