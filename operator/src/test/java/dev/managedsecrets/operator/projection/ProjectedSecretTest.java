package dev.managedsecrets.operator.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.api.v1alpha1.TargetSpec;
import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.projection.Projection;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.value.SecretValue;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProjectedSecretTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final KubernetesSerialization K8S = new KubernetesSerialization();
  private static final String USER = "user-7d1c";
  private static final String PASS = "s3cr3t-pass-9f2e";
  private static final String VERSION = "3f1c7c1e-2a4b-4d0e-8f7a-1b2c3d4e5f60";

  private ProjectedSecret projection;

  @BeforeEach
  void newProjection() {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 5);
    projection = new ProjectedSecret(new Projection(new KeyedHash(key)));
  }

  private static SecretValue json(String json) {
    return SecretValue.text(json);
  }

  private static SecretValue credentials() {
    return json("{\"password\":\"" + PASS + "\",\"username\":\"" + USER + "\"}");
  }

  private static TargetSpec target(Consumer<TargetSpec> settings) {
    TargetSpec t = new TargetSpec();
    settings.accept(t);
    return t;
  }

  private static ManagedSecret ms(Consumer<ManagedSecretSpec> settings) {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    settings.accept(spec);
    ManagedSecret ms = new ManagedSecret();
    ms.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("team-a")
            .withName("orders-db")
            .withUid("7c9e6679-7425-40de-944b-e07fc1f90ae7")
            .build());
    ms.setSpec(spec);
    return ms;
  }

  private Secret desired(ManagedSecret ms, SecretValue value) {
    return projection.desired(ms, VERSION, Projection.data(value, ms.getSpec().target));
  }

  // ---- desired Secret

  @Test
  void desiredSecretCarriesNameNamespaceTypeAndData() {
    ManagedSecret ms = ms(s -> {});

    Secret s = desired(ms, credentials());

    assertThat(s.getMetadata().getName()).isEqualTo("orders-db");
    assertThat(s.getMetadata().getNamespace()).isEqualTo("team-a");
    assertThat(s.getType()).isEqualTo("Opaque");
    assertThat(s.getData())
        .containsOnlyKeys("password", "username")
        .containsEntry(
            "username", Base64.getEncoder().encodeToString(USER.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void desiredSecretUsesTargetNameAndType() {
    ManagedSecret ms =
        ms(
            s ->
                s.target =
                    target(
                        t -> {
                          t.name = "orders-basic";
                          t.type = "kubernetes.io/basic-auth";
                        }));

    Secret s = desired(ms, credentials());

    assertThat(s.getMetadata().getName()).isEqualTo("orders-basic");
    assertThat(s.getType()).isEqualTo("kubernetes.io/basic-auth");
  }

  @Test
  void desiredSecretCarriesManagedByAndSecretNameLabelsAndTargetLabels() {
    ManagedSecret ms = ms(s -> s.target = target(t -> t.labels = Map.of("app", "orders")));

    Map<String, String> labels = desired(ms, credentials()).getMetadata().getLabels();

    assertThat(labels)
        .containsEntry("app.kubernetes.io/managed-by", "managedsecret-operator")
        .containsEntry("managedsecrets.dev/secret-name", "orders-db")
        .containsEntry("app", "orders");
    assertThat(ProjectedSecret.managedByUs(desired(ms, credentials()))).isTrue();
  }

  @Test
  void targetLabelsCannotOverrideTheOperatorsLabels() {
    ManagedSecret ms =
        ms(
            s ->
                s.target =
                    target(
                        t ->
                            t.labels =
                                Map.of(
                                    "app.kubernetes.io/managed-by", "someone-else",
                                    "managedsecrets.dev/secret-name", "other")));

    Map<String, String> labels = desired(ms, credentials()).getMetadata().getLabels();

    assertThat(labels)
        .containsEntry("app.kubernetes.io/managed-by", "managedsecret-operator")
        .containsEntry("managedsecrets.dev/secret-name", "orders-db");
  }

  @Test
  void desiredSecretCarriesVersionTagsAndTargetAnnotations() throws Exception {
    ManagedSecret ms =
        ms(
            s -> {
              s.tags =
                  List.of(new Tag("team", "orders"), new Tag("env", "prod"), new Tag("e", null));
              s.target = target(t -> t.annotations = Map.of("owner", "orders-team"));
            });

    Map<String, String> annotations = desired(ms, credentials()).getMetadata().getAnnotations();

    assertThat(annotations)
        .containsEntry("managedsecrets.dev/version-id", VERSION)
        .containsEntry("owner", "orders-team")
        .containsKey(Projection.CHECKSUM_ANNOTATION);
    Map<String, String> tags =
        JSON.readValue(annotations.get("managedsecrets.dev/tags"), new TypeReference<>() {});
    assertThat(tags)
        .containsExactlyInAnyOrderEntriesOf(Map.of("team", "orders", "env", "prod", "e", ""));
  }

  @Test
  void desiredSecretHasNoTagsAnnotationWithoutTags() {
    assertThat(desired(ms(s -> {}), credentials()).getMetadata().getAnnotations())
        .doesNotContainKey("managedsecrets.dev/tags");
  }

  @Test
  void checksumAnnotationRevealsNoValue() {
    String checksum =
        desired(ms(s -> {}), credentials())
            .getMetadata()
            .getAnnotations()
            .get(Projection.CHECKSUM_ANNOTATION);

    assertThat(checksum)
        .doesNotContain(PASS)
        .doesNotContain(Base64.getEncoder().encodeToString(PASS.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void desiredSecretIsControlledByTheManagedSecret() {
    ManagedSecret ms = ms(s -> {});

    Secret s = desired(ms, credentials());

    assertThat(s.getMetadata().getOwnerReferences()).hasSize(1);
    OwnerReference ref = s.getMetadata().getOwnerReferences().get(0);
    assertThat(ref.getUid()).isEqualTo("7c9e6679-7425-40de-944b-e07fc1f90ae7");
    assertThat(ref.getController()).isTrue();
    assertThat(ref.getBlockOwnerDeletion()).isTrue();
    assertThat(ref.getKind()).isEqualTo("ManagedSecret");
    assertThat(ref.getApiVersion()).isEqualTo("managedsecrets.dev/v1alpha1");
    assertThat(ref.getName()).isEqualTo("orders-db");
    assertThat(ProjectedSecret.ownedBy(s, ms)).isTrue();
  }

  @Test
  void ownedByIsFalseForAnotherUidOrANonControllerReference() {
    ManagedSecret ms = ms(s -> {});
    Secret s = desired(ms, credentials());
    ManagedSecret other = ms(x -> {});
    other.getMetadata().setUid("another-uid");
    Secret notController = K8S.clone(s);
    notController.getMetadata().getOwnerReferences().get(0).setController(false);

    assertThat(ProjectedSecret.ownedBy(s, other)).isFalse();
    assertThat(ProjectedSecret.ownedBy(notController, ms)).isFalse();
  }

  // ---- upToDate

  @Test
  void desiredSecretIsUpToDate() {
    ManagedSecret ms =
        ms(
            s -> {
              s.tags = List.of(new Tag("team", "orders"));
              s.target =
                  target(
                      t -> {
                        t.labels = Map.of("app", "orders");
                        t.annotations = Map.of("owner", "x");
                        t.template = Map.of("url", "{{username}}@db");
                      });
            });
    Secret desired = desired(ms, credentials());

    assertThat(projection.upToDate(desired, ms, VERSION)).isTrue();
  }

  @Test
  void desiredSecretIsStillUpToDateAfterAJsonRoundTripAsTheApiServerReturnsIt() {
    ManagedSecret ms = ms(s -> s.target = target(t -> t.labels = Map.of("app", "orders")));
    Secret live = K8S.unmarshal(K8S.asJson(desired(ms, credentials())), Secret.class);

    assertThat(projection.upToDate(live, ms, VERSION)).isTrue();
  }

  // ---- the previous version beside the current one (target.previousValue)

  private static final Projection.Previous PREVIOUS =
      new Projection.Previous(
          "11111111-2222-4333-8444-555555555555", Instant.parse("2025-03-02T10:00:00Z"), "_OLD");

  private Secret withPrevious(ManagedSecret ms, Projection.Previous previous) {
    Map<String, byte[]> data = Projection.data(credentials(), ms.getSpec().target);
    data.put("password_OLD", "old-pass".getBytes(StandardCharsets.UTF_8));
    return projection.desired(ms, VERSION, previous, data);
  }

  @Test
  void aSecretWithThePreviousVersionSaysWhichAndUntilWhen() {
    ManagedSecret ms = ms(s -> {});

    Secret s = withPrevious(ms, PREVIOUS);

    assertThat(s.getMetadata().getAnnotations())
        .containsEntry(Projection.PREVIOUS_VERSION_ANNOTATION, PREVIOUS.versionId())
        .containsEntry(Projection.PREVIOUS_UNTIL_ANNOTATION, "2025-03-02T10:00:00Z");
    assertThat(s.getData()).containsOnlyKeys("password", "username", "password_OLD");
    assertThat(projection.upToDate(s, ms, VERSION, PREVIOUS)).isTrue();
  }

  @Test
  void aSecretWithThePreviousVersionIsStaleOnceItsGracePeriodIsOver() {
    ManagedSecret ms = ms(s -> {});

    assertThat(projection.upToDate(withPrevious(ms, PREVIOUS), ms, VERSION, null)).isFalse();
  }

  @Test
  void aSecretWithoutThePreviousVersionIsStaleWhileOneIsToBeProjected() {
    ManagedSecret ms = ms(s -> {});
    Secret without = desired(ms, credentials());

    assertThat(projection.upToDate(without, ms, VERSION, PREVIOUS)).isFalse();
  }

  @Test
  void anotherPreviousVersionEndOrSuffixMakesItStale() {
    ManagedSecret ms = ms(s -> {});
    Secret s = withPrevious(ms, PREVIOUS);

    for (Projection.Previous other :
        List.of(
            new Projection.Previous(VERSION, PREVIOUS.until(), "_OLD"),
            new Projection.Previous(PREVIOUS.versionId(), PREVIOUS.until().plusSeconds(60), "_OLD"),
            new Projection.Previous(PREVIOUS.versionId(), PREVIOUS.until(), "_PREVIOUS"))) {
      assertThat(projection.upToDate(s, ms, VERSION, other)).as("%s", other).isFalse();
    }
  }

  @Test
  void aForgedPreviousAnnotationOnASecretWithoutOneMakesItStale() {
    ManagedSecret ms = ms(s -> {});
    Secret live = K8S.clone(desired(ms, credentials()));
    live.getMetadata().getAnnotations().put(Projection.PREVIOUS_UNTIL_ANNOTATION, "later");

    assertThat(projection.upToDate(live, ms, VERSION, null)).isFalse();
  }

  @Test
  void labelsAndAnnotationsAddedByOthersDoNotMakeItStale() {
    ManagedSecret ms = ms(s -> {});
    Secret live = K8S.clone(desired(ms, credentials()));
    live.getMetadata().getLabels().put("added-by", "someone");
    live.getMetadata().getAnnotations().put("kubectl.kubernetes.io/last-applied", "{}");

    assertThat(projection.upToDate(live, ms, VERSION)).isTrue();
  }

  @Test
  void changingOneDataByteMakesItStale() {
    ManagedSecret ms = ms(s -> {});
    Secret live = K8S.clone(desired(ms, credentials()));
    byte[] password = Base64.getDecoder().decode(live.getData().get("password"));
    password[0] ^= 0x01;
    live.getData().put("password", Base64.getEncoder().encodeToString(password));

    assertThat(projection.upToDate(live, ms, VERSION)).isFalse();
  }

  @Test
  void addingOrRemovingADataKeyMakesItStale() {
    ManagedSecret ms = ms(s -> {});
    Secret added = K8S.clone(desired(ms, credentials()));
    added.getData().put("extra", "eA==");
    Secret removed = K8S.clone(desired(ms, credentials()));
    removed.getData().remove("username");

    assertThat(projection.upToDate(added, ms, VERSION)).isFalse();
    assertThat(projection.upToDate(removed, ms, VERSION)).isFalse();
  }

  @Test
  void changingTheTypeMakesItStale() {
    ManagedSecret ms = ms(s -> {});
    Secret live = K8S.clone(desired(ms, credentials()));
    live.setType("kubernetes.io/basic-auth");

    assertThat(projection.upToDate(live, ms, VERSION)).isFalse();
  }

  @Test
  void removingALabelMakesItStale() {
    ManagedSecret ms = ms(s -> s.target = target(t -> t.labels = Map.of("app", "orders")));
    Secret noManagedBy = K8S.clone(desired(ms, credentials()));
    noManagedBy.getMetadata().getLabels().remove(Projection.MANAGED_BY_LABEL);
    Secret noTargetLabel = K8S.clone(desired(ms, credentials()));
    noTargetLabel.getMetadata().getLabels().remove("app");

    assertThat(projection.upToDate(noManagedBy, ms, VERSION)).isFalse();
    assertThat(projection.upToDate(noTargetLabel, ms, VERSION)).isFalse();
  }

  @Test
  void changingALabelValueMakesItStale() {
    ManagedSecret ms = ms(s -> s.target = target(t -> t.labels = Map.of("app", "orders")));
    Secret live = K8S.clone(desired(ms, credentials()));
    live.getMetadata().getLabels().put("app", "other");

    assertThat(projection.upToDate(live, ms, VERSION)).isFalse();
  }

  @Test
  void anotherVersionIdMakesItStale() {
    ManagedSecret ms = ms(s -> {});
    Secret live = desired(ms, credentials());

    assertThat(projection.upToDate(live, ms, "00000000-0000-0000-0000-000000000000")).isFalse();
  }

  @Test
  void editingTheVersionAnnotationMakesItStale() {
    ManagedSecret ms = ms(s -> {});
    Secret live = K8S.clone(desired(ms, credentials()));
    live.getMetadata().getAnnotations().put(Projection.VERSION_ANNOTATION, "other");

    assertThat(projection.upToDate(live, ms, VERSION)).isFalse();
  }

  @Test
  void removingOrForgingTheChecksumMakesItStale() {
    ManagedSecret ms = ms(s -> {});
    Secret removed = K8S.clone(desired(ms, credentials()));
    removed.getMetadata().getAnnotations().remove(Projection.CHECKSUM_ANNOTATION);
    Secret noAnnotations = K8S.clone(desired(ms, credentials()));
    noAnnotations.getMetadata().setAnnotations(null);
    // a checksum computed under another operator's hash key
    byte[] otherKey = new byte[32];
    ProjectedSecret other = new ProjectedSecret(new Projection(new KeyedHash(otherKey)));
    Secret forged =
        other.desired(ms, VERSION, Projection.data(json("{\"username\":\"attacker\"}"), null));

    assertThat(projection.upToDate(removed, ms, VERSION)).isFalse();
    assertThat(projection.upToDate(noAnnotations, ms, VERSION)).isFalse();
    assertThat(projection.upToDate(forged, ms, VERSION)).isFalse();
  }

  @Test
  void changingTheSpecsTemplateMakesItStale() {
    ManagedSecret ms = ms(s -> s.target = target(t -> t.template = Map.of("url", "{{username}}")));
    Secret live = desired(ms, credentials());
    ManagedSecret changed =
        ms(s -> s.target = target(t -> t.template = Map.of("url", "{{username}}!")));

    assertThat(projection.upToDate(live, changed, VERSION)).isFalse();
  }

  @Test
  void changingATemplateOfTheLanguageMakesItStaleAndAnUnchangedOneDoesNot() {
    ManagedSecret ms = ms(s -> s.target = target(t -> t.templates = templates("{{ username }}")));
    Secret live = desired(ms, credentials());
    ManagedSecret same = ms(s -> s.target = target(t -> t.templates = templates("{{ username }}")));
    ManagedSecret changed =
        ms(s -> s.target = target(t -> t.templates = templates("{{ username | upper }}")));

    assertThat(projection.upToDate(live, same, VERSION)).isTrue();
    assertThat(projection.upToDate(live, changed, VERSION)).isFalse();
  }

  private static dev.managedsecrets.api.v1alpha1.TemplatesSpec templates(String url) {
    var templates = new dev.managedsecrets.api.v1alpha1.TemplatesSpec();
    templates.engineVersion = "v1";
    templates.data = Map.of("url", url);
    return templates;
  }

  @Test
  void changingTheSpecsLabelsMakesItStale() {
    ManagedSecret ms = ms(s -> s.target = target(t -> t.labels = Map.of("app", "orders")));
    Secret live = desired(ms, credentials());
    ManagedSecret changed = ms(s -> s.target = target(t -> t.labels = Map.of("app", "billing")));
    ManagedSecret added =
        ms(s -> s.target = target(t -> t.labels = Map.of("app", "orders", "tier", "db")));

    assertThat(projection.upToDate(live, changed, VERSION)).isFalse();
    assertThat(projection.upToDate(live, added, VERSION)).isFalse();
  }

  @Test
  void changingTheSpecsTypeAnnotationsOrTagsMakesItStale() {
    ManagedSecret ms = ms(s -> {});
    Secret live = desired(ms, credentials());

    assertThat(
            projection.upToDate(
                live,
                ms(s -> s.target = target(t -> t.type = "kubernetes.io/basic-auth")),
                VERSION))
        .isFalse();
    assertThat(
            projection.upToDate(
                live, ms(s -> s.target = target(t -> t.annotations = Map.of("a", "b"))), VERSION))
        .isFalse();
    assertThat(projection.upToDate(live, ms(s -> s.tags = List.of(new Tag("k", "v"))), VERSION))
        .isFalse();
  }

  @Test
  void aSecretOwnedByAnotherManagedSecretIsNotUpToDate() {
    ManagedSecret ms = ms(s -> {});
    Secret live = K8S.clone(desired(ms, credentials()));
    live.getMetadata().getOwnerReferences().get(0).setUid("another-uid");

    assertThat(projection.upToDate(live, ms, VERSION)).isFalse();
  }

  @Test
  void upToDateDoesNotDependOnMapOrder() {
    ManagedSecret ms = ms(s -> {});
    Secret live = K8S.clone(desired(ms, credentials()));
    Map<String, String> reversed = new LinkedHashMap<>();
    List<String> keys = new java.util.ArrayList<>(live.getData().keySet());
    java.util.Collections.reverse(keys);
    keys.forEach(k -> reversed.put(k, live.getData().get(k)));
    live.setData(reversed);
    live.getMetadata().setLabels(new HashMap<>(live.getMetadata().getLabels()));

    assertThat(projection.upToDate(live, ms, VERSION)).isTrue();
  }

  @Test
  void aServiceAccountTokenTypeIsRefusedByTheProjectionItself() {
    TargetSpec target = new TargetSpec();
    target.type = "kubernetes.io/service-account-token";
    SecretsManagerException e =
        catchThrowableOfType(
            SecretsManagerException.class,
            () -> Projection.data(SecretValue.text("{\"token\":\"t\"}"), target));
    assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    assertThat(e.getMessage()).contains("kubernetes.io/service-account-token can't be projected");
  }

  // ---- target.immutable

  @Test
  void anImmutableTargetIsProjectedImmutableAndAMutableSecretIsNotUpToDateWithIt() {
    ManagedSecret mutable = ms(s -> {});
    ManagedSecret immutable = ms(s -> s.target = target(t -> t.immutable = true));

    Secret frozen = desired(immutable, credentials());
    Secret plain = desired(mutable, credentials());

    assertThat(frozen.getImmutable()).isTrue();
    assertThat(plain.getImmutable()).isNull();
    assertThat(projection.upToDate(frozen, immutable, VERSION)).isTrue();
    assertThat(projection.upToDate(plain, immutable, VERSION)).isFalse();
    assertThat(projection.upToDate(frozen, mutable, VERSION)).isFalse();
    // The checksum tells too: a Secret made immutable by hand is put back as projected.
    Secret frozenByHand = desired(mutable, credentials());
    frozenByHand.setImmutable(true);
    assertThat(projection.upToDate(frozenByHand, mutable, VERSION)).isFalse();
  }

  @Test
  void anImmutableSecretIsReplacedWhenItsDataOrImmutabilityChangesAndUpdatedForItsLabels() {
    ManagedSecret immutable = ms(s -> s.target = target(t -> t.immutable = true));
    Secret live = desired(immutable, credentials());

    Secret otherData = desired(immutable, json("{\"password\":\"other\"}"));
    Secret thawed = desired(ms(s -> {}), credentials());
    Secret relabelled =
        desired(
            ms(
                s ->
                    s.target =
                        target(
                            t -> {
                              t.immutable = true;
                              t.labels = Map.of("app", "orders");
                            })),
            credentials());

    assertThat(ProjectedSecret.replaced(live, otherData)).isTrue();
    assertThat(ProjectedSecret.replaced(live, thawed)).isTrue();
    assertThat(ProjectedSecret.replaced(thawed, live)).isTrue();
    assertThat(ProjectedSecret.replaced(live, relabelled)).isFalse();
    assertThat(ProjectedSecret.replaced(thawed, desired(ms(s -> {}), json("{\"a\":\"b\"}"))))
        .isFalse();
  }

  // ---- merging into a Secret that opted in, retained Secrets

  /** {@code desired} as merged into a Secret of its owner's, with a key of their own. */
  private static Secret mergedInto(Secret desired, String mergeFrom) {
    Secret merged = K8S.clone(desired);
    merged.getMetadata().setOwnerReferences(null);
    merged.getMetadata().getAnnotations().put(Projection.MERGE_FROM_ANNOTATION, mergeFrom);
    merged
        .getMetadata()
        .getAnnotations()
        .put(Projection.MANAGED_KEYS_ANNOTATION, String.join(",", desired.getData().keySet()));
    merged.getData().put("theirs", "dGhlaXJz");
    merged.setType("kubernetes.io/basic-auth");
    return merged;
  }

  @Test
  void aMergedSecretIsUpToDateByItsManagedKeysWhateverItsOwnKeysAndType() {
    ManagedSecret ms = ms(s -> {});
    Secret merged = mergedInto(desired(ms, credentials()), "orders-db");

    assertThat(ProjectedSecret.mergedBy(merged, ms)).isTrue();
    assertThat(projection.upToDate(merged, ms, VERSION)).isTrue();
    merged.getData().put("theirs", "b3RoZXI=");
    assertThat(projection.upToDate(merged, ms, VERSION)).isTrue();
    // A managed key edited by hand, or dropped from the record, is drift.
    Secret edited = K8S.clone(merged);
    edited.getData().put("password", "ZWRpdGVk");
    assertThat(projection.upToDate(edited, ms, VERSION)).isFalse();
    Secret unrecorded = K8S.clone(merged);
    unrecorded.getMetadata().getAnnotations().put(Projection.MANAGED_KEYS_ANNOTATION, "username");
    assertThat(projection.upToDate(unrecorded, ms, VERSION)).isFalse();
    // target.type, when set, is the Secret's type or the merge is not up to date.
    ManagedSecret typed = ms(s -> s.target = target(t -> t.type = "Opaque"));
    assertThat(
            projection.upToDate(
                mergedInto(desired(typed, credentials()), "orders-db"), typed, VERSION))
        .isFalse();
  }

  @Test
  void onlyTheManagedSecretTheMergeAnnotationNamesMergesAndIsMappedToTheSecret() {
    ManagedSecret ms = ms(s -> {});
    Secret other = mergedInto(desired(ms, credentials()), "someone-else");

    assertThat(ProjectedSecret.mergedBy(other, ms)).isFalse();
    assertThat(projection.upToDate(other, ms, VERSION)).isFalse();
    assertThat(ProjectedSecret.primaries(mergedInto(desired(ms, credentials()), "orders-db")))
        .containsExactly(
            new io.javaoperatorsdk.operator.processing.event.ResourceID("orders-db", "team-a"));
    assertThat(ProjectedSecret.primaries(desired(ms, credentials())))
        .containsExactly(
            new io.javaoperatorsdk.operator.processing.event.ResourceID("orders-db", "team-a"));
  }

  @Test
  void aRetainedSecretIsForTheManagedSecretOfItsNameWhileNothingControlsIt() {
    ManagedSecret ms = ms(s -> {});
    Secret retained = desired(ms, credentials());
    retained.getMetadata().setOwnerReferences(null);
    retained.getMetadata().setAnnotations(Map.of(Projection.RETAINED_FROM_ANNOTATION, "orders-db"));

    assertThat(ProjectedSecret.retainedFor(retained, ms)).isTrue();
    ManagedSecret other = ms(s -> {});
    other.getMetadata().setName("payments-db");
    assertThat(ProjectedSecret.retainedFor(retained, other)).isFalse();
    Secret controlled = K8S.clone(retained);
    controlled.getMetadata().setOwnerReferences(List.of(ProjectedSecret.ownerReference(other)));
    assertThat(ProjectedSecret.retainedFor(controlled, ms)).isFalse();
  }
}
