package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.WAIT;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.operator.endpoint.AccessKeys;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.BatchGetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DeleteSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.Filter;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsRequest;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;
import software.amazon.awssdk.services.secretsmanager.model.SecretVersionsListEntry;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;
import software.amazon.awssdk.services.secretsmanager.model.SortOrderType;

/**
 * Every operation of the endpoint, called with AWS's own SDK for Java v2 (its signer, its
 * paginators, its error mapping), against the operator in the embedded API server.
 */
class EndpointSdkIT {

  static final String MYCREDS = "{\"username\":\"saanvi\",\"password\":\"aDM4N3*!8TT\"}";

  static TestCluster cluster;
  static SecretsManagerClient sm;
  static StoreView store;

  @BeforeAll
  static void start() {
    cluster = EndpointClients.start();
    AccessKeys.AccessKey admin = EndpointClients.administrator(cluster);
    sm = EndpointClients.client(cluster, admin);
    store = new StoreView(cluster.client);
  }

  @AfterAll
  static void stop() {
    sm.close();
    cluster.close();
  }

  /** The ManagedSecret CreateSecret made for a name, once reconciled. */
  static ManagedSecret object(String name) {
    return object(cluster, name);
  }

  /** The ManagedSecret CreateSecret made for a name in default, once reconciled. */
  static ManagedSecret object(TestCluster cluster, String name) {
    String objectName =
        cluster
            .client
            .resources(ManagedSecret.class)
            .inNamespace("default")
            .list()
            .getItems()
            .stream()
            .filter(ms -> name.equals(ms.getSpec().secretName))
            .findFirst()
            .orElseThrow()
            .getMetadata()
            .getName();
    return awaitSynced(cluster.client, "default", objectName);
  }

  @Test
  void createSecretMakesAManagedSecretWhoseValueLivesOnlyInTheStore() {
    CreateSecretResponse created =
        sm.createSecret(
            r ->
                r.name("production/MyAwesomeAppSecret")
                    .description("Credentials of the orders service")
                    .secretString(MYCREDS)
                    .tags(
                        software.amazon.awssdk.services.secretsmanager.model.Tag.builder()
                            .key("team")
                            .value("orders")
                            .build()));

    assertThat(created.name()).isEqualTo("production/MyAwesomeAppSecret");
    assertThat(created.arn())
        .matches(
            "arn:k8s:secretsmanager:local:123456789012:secret:production/MyAwesomeAppSecret-"
                + "[A-Za-z0-9]{6}");
    ManagedSecret ms = object("production/MyAwesomeAppSecret");
    assertThat(ms.getMetadata().getName()).startsWith("production-myawesomeappsecret-");
    assertThat(ms.getSpec().valueSource).isEqualTo("Store");
    assertThat(ms.getSpec().description).isEqualTo("Credentials of the orders service");
    assertThat(ms.getSpec().tags).extracting(t -> t.key).containsExactly("team");
    assertThat(ms.getStatus().arn).isEqualTo(created.arn());
    assertThat(ms.getStatus().versionId).isEqualTo(created.versionId());
    assertThat(Serialization.asJson(ms)).doesNotContain("saanvi").doesNotContain("aDM4N3");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(text(secret(cluster.client, "default", ms.getMetadata().getName())))
                    .isEqualTo(Map.of("username", "saanvi", "password", "aDM4N3*!8TT")));

    GetSecretValueResponse value =
        sm.getSecretValue(r -> r.secretId("production/MyAwesomeAppSecret"));
    assertThat(value.secretString()).isEqualTo(MYCREDS);
    assertThat(value.versionId()).isEqualTo(created.versionId());
    assertThat(value.versionStages()).containsExactly("AWSCURRENT");
    assertThat(value.arn()).isEqualTo(created.arn());
    assertThat(sm.getSecretValue(r -> r.secretId(created.arn())).secretString()).isEqualTo(MYCREDS);
  }

  @Test
  void getSecretValueReadsAManagedSecretAppliedToTheCluster() {
    create(
        cluster.client,
        managedSecret(
            "default",
            "applied",
            s -> {
              s.secretName = "applied/db";
              s.secretBinary = "AAEC/w==";
            }));
    ManagedSecret ms = awaitSynced(cluster.client, "default", "applied");

    GetSecretValueResponse value = sm.getSecretValue(r -> r.secretId("applied/db"));

    assertThat(value.secretBinary().asByteArray()).containsExactly(0, 1, 2, 255);
    assertThat(value.secretString()).isNull();
    assertThat(value.versionId()).isEqualTo(ms.getStatus().versionId);
    assertThat(value.arn()).isEqualTo(ms.getStatus().arn);
  }

  @Test
  void aValueThatItsSpecOwnsIsNeitherPutNorMovedAndTheFieldIsNamed() {
    create(
        cluster.client,
        managedSecret(
            "default",
            "spec-owned",
            s -> {
              s.secretName = "spec/owned";
              s.secretString = "from-git";
            }));
    String version = awaitSynced(cluster.client, "default", "spec-owned").getStatus().versionId;

    InvalidRequestException put =
        catchThrowableOfType(
            InvalidRequestException.class,
            () -> sm.putSecretValue(r -> r.secretId("spec/owned").secretString("other")));
    InvalidRequestException moved =
        catchThrowableOfType(
            InvalidRequestException.class,
            () ->
                sm.updateSecretVersionStage(
                    r -> r.secretId("spec/owned").versionStage("CUSTOM").moveToVersionId(version)));

    assertThat(put.awsErrorDetails().errorMessage())
        .isEqualTo(
            "The value of secret spec/owned is set by spec.secretString of ManagedSecret"
                + " default/spec-owned: change it there. Only a ManagedSecret with"
                + " spec.valueSource Store takes values from this endpoint.");
    assertThat(moved.awsErrorDetails().errorMessage()).contains("spec.secretString");
    assertThat(store.record("default", "spec/owned").orElseThrow().versions())
        .singleElement()
        .satisfies(v -> assertThat(v.stages()).containsExactly("AWSCURRENT"));
    assertThat(sm.getSecretValue(r -> r.secretId("spec/owned")).secretString())
        .isEqualTo("from-git");
  }

  @Test
  void aValueThatItsSpecSealsIsNotPutAndTheSealedFieldIsNamed() {
    String sealed = Sealing.sealData(cluster.client, "default", "sealed-owned", "password", "git");
    create(
        cluster.client,
        managedSecret(
            "default",
            "sealed-owned",
            s -> {
              s.secretName = "sealed/owned";
              s.sealedData = Map.of("password", sealed);
            }));
    awaitSynced(cluster.client, "default", "sealed-owned");

    InvalidRequestException put =
        catchThrowableOfType(
            InvalidRequestException.class,
            () -> sm.putSecretValue(r -> r.secretId("sealed/owned").secretString("other")));

    assertThat(put.awsErrorDetails().errorMessage())
        .isEqualTo(
            "The value of secret sealed/owned is set by spec.sealedData of ManagedSecret"
                + " default/sealed-owned: change it there. Only a ManagedSecret with"
                + " spec.valueSource Store takes values from this endpoint.");
    assertThat(store.record("default", "sealed/owned").orElseThrow().versions()).hasSize(1);
  }

  @Test
  void putSecretValueMovesAwsCurrentAndStagesMoveAsAwsMovesThem() {
    String first = sm.createSecret(r -> r.name("staged").secretString("one")).versionId();
    PutSecretValueResponse second =
        sm.putSecretValue(r -> r.secretId("staged").secretString("two"));
    assertThat(second.versionStages()).containsExactly("AWSCURRENT");
    PutSecretValueResponse pending =
        sm.putSecretValue(
            r -> r.secretId("staged").secretString("three").versionStages("AWSPENDING"));
    assertThat(pending.versionStages()).containsExactly("AWSPENDING");
    assertThat(sm.getSecretValue(r -> r.secretId("staged")).secretString()).isEqualTo("two");
    assertThat(sm.getSecretValue(r -> r.secretId("staged").versionStage("AWSPREVIOUS")).versionId())
        .isEqualTo(first);
    assertThat(
            sm.getSecretValue(r -> r.secretId("staged").versionStage("AWSPENDING")).secretString())
        .isEqualTo("three");

    InvalidParameterException unnamed =
        catchThrowableOfType(
            InvalidParameterException.class,
            () ->
                sm.updateSecretVersionStage(
                    r ->
                        r.secretId("staged")
                            .versionStage("AWSCURRENT")
                            .moveToVersionId(pending.versionId())));
    assertThat(unnamed.awsErrorDetails().errorMessage())
        .isEqualTo(
            "The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is"
                + " currently attached to version "
                + second.versionId()
                + ", so you must explicitly reference that version in RemoveFromVersionId.");

    sm.updateSecretVersionStage(
        r ->
            r.secretId("staged")
                .versionStage("AWSCURRENT")
                .moveToVersionId(pending.versionId())
                .removeFromVersionId(second.versionId()));
    GetSecretValueResponse current = sm.getSecretValue(r -> r.secretId("staged"));
    assertThat(current.secretString()).isEqualTo("three");
    assertThat(current.versionStages()).containsExactlyInAnyOrder("AWSCURRENT", "AWSPENDING");
    assertThat(sm.getSecretValue(r -> r.secretId("staged").versionStage("AWSPREVIOUS")).versionId())
        .isEqualTo(second.versionId());
    ManagedSecret ms = object("staged");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(text(secret(cluster.client, "default", ms.getMetadata().getName())))
                    .isEqualTo(Map.of("secretString", "three")));
  }

  @Test
  void aClientRequestTokenMakesPutSecretValueIdempotent() {
    sm.createSecret(r -> r.name("idempotent"));
    String token = "0123456789abcdef0123456789abcdef";
    String first =
        sm.putSecretValue(r -> r.secretId("idempotent").secretString("v").clientRequestToken(token))
            .versionId();
    String again =
        sm.putSecretValue(r -> r.secretId("idempotent").secretString("v").clientRequestToken(token))
            .versionId();
    ResourceExistsException other =
        catchThrowableOfType(
            ResourceExistsException.class,
            () ->
                sm.putSecretValue(
                    r -> r.secretId("idempotent").secretString("w").clientRequestToken(token)));

    assertThat(first).isEqualTo(token).isEqualTo(again);
    assertThat(other.awsErrorDetails().errorMessage())
        .startsWith("You can't use ClientRequestToken " + token + " because that value is");
    assertThat(store.record("default", "idempotent").orElseThrow().versions()).hasSize(1);
  }

  @Test
  void aSecretCreatedWithoutAValueHasNoVersionUntilOneIsPut() {
    CreateSecretResponse created = sm.createSecret(r -> r.name("empty/at/first"));
    assertThat(created.versionId()).isNull();
    ResourceNotFoundException none =
        catchThrowableOfType(
            ResourceNotFoundException.class,
            () -> sm.getSecretValue(r -> r.secretId("empty/at/first")));
    assertThat(none.awsErrorDetails().errorMessage())
        .isEqualTo(
            "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
    assertThat(object("empty/at/first").getStatus().versionId).isNull();

    sm.putSecretValue(r -> r.secretId("empty/at/first").secretString("now"));
    assertThat(sm.getSecretValue(r -> r.secretId("empty/at/first")).secretString())
        .isEqualTo("now");
  }

  @Test
  void createSecretOfANameThatExistsIsRefusedAsAwsRefusesIt() {
    sm.createSecret(r -> r.name("taken").secretString("v"));

    ResourceExistsException exists =
        catchThrowableOfType(
            ResourceExistsException.class,
            () -> sm.createSecret(r -> r.name("taken").secretString("w")));
    SecretsManagerException invalid =
        catchThrowableOfType(
            SecretsManagerException.class, () -> sm.createSecret(r -> r.name("bad name!")));

    assertThat(exists.awsErrorDetails().errorMessage())
        .isEqualTo("The operation failed because the secret taken already exists.");
    assertThat(invalid.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
    assertThat(sm.getSecretValue(r -> r.secretId("taken")).secretString()).isEqualTo("v");
  }

  @Test
  void describeUpdateAndTagChangeOnlyWhatTheEndpointOwns() {
    String arn = sm.createSecret(r -> r.name("described").secretString("v")).arn();
    sm.updateSecret(r -> r.secretId("described").description("new words"));
    sm.tagResource(
        r ->
            r.secretId(arn)
                .tags(
                    software.amazon.awssdk.services.secretsmanager.model.Tag.builder()
                        .key("a")
                        .value("1")
                        .build(),
                    software.amazon.awssdk.services.secretsmanager.model.Tag.builder()
                        .key("b")
                        .value("2")
                        .build()));
    sm.untagResource(r -> r.secretId("described").tagKeys("a"));
    String version = sm.updateSecret(r -> r.secretId("described").secretString("w")).versionId();

    DescribeSecretResponse d = sm.describeSecret(r -> r.secretId("described"));
    assertThat(d.arn()).isEqualTo(arn);
    assertThat(d.description()).isEqualTo("new words");
    assertThat(d.tags()).extracting(t -> t.key() + "=" + t.value()).containsExactly("b=2");
    assertThat(d.versionIdsToStages().get(version)).containsExactly("AWSCURRENT");
    assertThat(d.createdDate()).isBefore(Instant.now().plusSeconds(1));
    assertThat(d.deletedDate()).isNull();

    create(
        cluster.client,
        managedSecret(
            "default",
            "git-tags",
            s -> {
              s.secretName = "git/tags";
              s.secretString = "v";
              s.tags = List.of(new Tag("owner", "git"));
            }));
    awaitSynced(cluster.client, "default", "git-tags");
    InvalidRequestException refused =
        catchThrowableOfType(
            InvalidRequestException.class,
            () -> sm.untagResource(r -> r.secretId("git/tags").tagKeys("owner")));
    assertThat(refused.awsErrorDetails().errorMessage())
        .startsWith("spec.tags of ManagedSecret default/git-tags (secret git/tags) was set by ");
    assertThat(get(cluster.client, "default", "git-tags").getSpec().tags).hasSize(1);
  }

  @Test
  void listSecretsFiltersSortsAndPagesTheCallersNamespace() {
    IntStream.range(0, 5)
        .forEach(
            i ->
                sm.createSecret(
                    r ->
                        r.name("listed/" + i)
                            .description(i % 2 == 0 ? "Even one" : "odd one")
                            .secretString("v" + i)));

    ListSecretsRequest byName =
        ListSecretsRequest.builder()
            .maxResults(2)
            .filters(Filter.builder().key(FilterNameStringType.NAME).values("listed/").build())
            .build();
    List<String> pages =
        sm.listSecretsPaginator(byName).stream()
            .map(p -> p.secretList().size() + (p.nextToken() == null ? "" : "+"))
            .toList();
    List<String> names = names(byName);
    List<String> descending = names(byName.toBuilder().sortOrder(SortOrderType.DESC).build());
    List<String> even = names(description("even"));
    List<String> notEven = names(description("!even"));

    assertThat(pages).containsExactly("2+", "2+", "1");
    assertThat(names).containsExactly("listed/0", "listed/1", "listed/2", "listed/3", "listed/4");
    List<String> reversed = new ArrayList<>(names);
    Collections.reverse(reversed);
    assertThat(descending).containsExactlyElementsOf(reversed);
    assertThat(even).containsExactly("listed/0", "listed/2", "listed/4");
    assertThat(notEven).containsExactly("listed/1", "listed/3");
  }

  /** The names of every page ListSecrets answers. */
  static List<String> names(ListSecretsRequest request) {
    return sm.listSecretsPaginator(request).stream()
        .flatMap(p -> p.secretList().stream())
        .map(SecretListEntry::name)
        .toList();
  }

  /** The secrets listed/ whose description starts (or not, with !) as given. */
  static ListSecretsRequest description(String value) {
    return ListSecretsRequest.builder()
        .filters(
            Filter.builder().key(FilterNameStringType.NAME).values("listed/").build(),
            Filter.builder().key(FilterNameStringType.DESCRIPTION).values(value).build())
        .build();
  }

  @Test
  void listSecretVersionIdsPagesLabelledVersionsAndDeprecatedOnesWhenAsked() {
    sm.createSecret(r -> r.name("versions").secretString("1"));
    IntStream.range(2, 6)
        .forEach(i -> sm.putSecretValue(r -> r.secretId("versions").secretString("" + i)));

    List<SecretVersionsListEntry> labelled =
        sm.listSecretVersionIdsPaginator(r -> r.secretId("versions").maxResults(1)).stream()
            .flatMap(p -> p.versions().stream())
            .toList();
    List<SecretVersionsListEntry> all =
        sm
            .listSecretVersionIdsPaginator(
                r -> r.secretId("versions").maxResults(2).includeDeprecated(true))
            .stream()
            .flatMap(p -> p.versions().stream())
            .toList();

    assertThat(labelled)
        .extracting(v -> v.versionStages().get(0))
        .containsExactly("AWSCURRENT", "AWSPREVIOUS");
    assertThat(all).hasSize(5);
    assertThat(all.get(0).kmsKeyIds()).singleElement().asString().startsWith("arn:k8s:kms:");
  }

  @Test
  void batchGetSecretValueReadsEachSecretAndReportsEachOneItCannot() {
    sm.createSecret(r -> r.name("batch/a").secretString("A"));
    sm.createSecret(r -> r.name("batch/b").secretString("B"));

    BatchGetSecretValueResponse byId =
        sm.batchGetSecretValue(r -> r.secretIdList("batch/a", "batch/missing", "batch/b"));
    BatchGetSecretValueResponse byFilter =
        sm.batchGetSecretValue(
            r ->
                r.filters(
                    Filter.builder().key(FilterNameStringType.NAME).values("batch/").build()));

    assertThat(byId.secretValues()).extracting(v -> v.secretString()).containsExactly("A", "B");
    assertThat(byId.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.secretId()).isEqualTo("batch/missing");
              assertThat(e.errorCode()).isEqualTo("ResourceNotFoundException");
            });
    assertThat(byFilter.secretValues())
        .extracting(v -> v.name())
        .containsExactly("batch/a", "batch/b");
  }

  @Test
  void deleteSchedulesWithTheWindowAskedAndRestoreBringsTheSecretBack() {
    String arn =
        sm.createSecret(
                r ->
                    r.name("deleted/soon")
                        .secretString("kept")
                        .description("Kept while scheduled")
                        .kmsKeyId("alias/managedsecrets")
                        .tags(
                            software.amazon.awssdk.services.secretsmanager.model.Tag.builder()
                                .key("team")
                                .value("orders")
                                .build(),
                            software.amazon.awssdk.services.secretsmanager.model.Tag.builder()
                                .key("empty")
                                .value("")
                                .build()))
            .arn();
    String objectName = object("deleted/soon").getMetadata().getName();

    DeleteSecretResponse deleted =
        sm.deleteSecret(r -> r.secretId("deleted/soon").recoveryWindowInDays(7L));

    assertThat(deleted.deletionDate())
        .isBetween(
            Instant.now().plusSeconds(7 * 86400 - 60), Instant.now().plusSeconds(7 * 86400 + 60));
    await().atMost(WAIT).until(() -> get(cluster.client, "default", objectName) == null);
    // The store kept what the deleted object said of the secret: described and listed as AWS does.
    DescribeSecretResponse scheduled = sm.describeSecret(r -> r.secretId("deleted/soon"));
    assertThat(scheduled.deletedDate()).isNotNull();
    assertThat(scheduled.description()).isEqualTo("Kept while scheduled");
    assertThat(scheduled.kmsKeyId()).isEqualTo("alias/managedsecrets");
    assertThat(scheduled.tags())
        .extracting(t -> t.key() + "=" + t.value())
        .containsExactly("team=orders", "empty=");
    assertThat(
            sm.listSecrets(
                    r ->
                        r.includePlannedDeletion(true)
                            .filters(
                                f -> f.key("tag-value").values("orders"),
                                f -> f.key("name").values("deleted/")))
                .secretList())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.name()).isEqualTo("deleted/soon");
              assertThat(e.description()).isEqualTo("Kept while scheduled");
              assertThat(e.deletedDate()).isNotNull();
            });
    InvalidRequestException twice =
        catchThrowableOfType(
            InvalidRequestException.class,
            () -> sm.deleteSecret(r -> r.secretId("deleted/soon").recoveryWindowInDays(7L)));
    assertThat(twice.awsErrorDetails().errorMessage())
        .isEqualTo(
            "You can't perform this operation on the secret because it was marked for deletion.");
    InvalidRequestException read =
        catchThrowableOfType(
            InvalidRequestException.class,
            () -> sm.getSecretValue(r -> r.secretId("deleted/soon")));
    assertThat(read.awsErrorDetails().errorMessage())
        .isEqualTo(
            "You can't perform this operation on the secret because it was marked for deletion.");
    InvalidRequestException again =
        catchThrowableOfType(
            InvalidRequestException.class,
            () -> sm.createSecret(r -> r.name("deleted/soon").secretString("x")));
    assertThat(again.awsErrorDetails().errorMessage())
        .isEqualTo(
            "You can't create this secret because a secret with this name is already scheduled"
                + " for deletion.");

    assertThat(sm.restoreSecret(r -> r.secretId("deleted/soon")).arn()).isEqualTo(arn);
    assertThat(sm.getSecretValue(r -> r.secretId("deleted/soon")).secretString()).isEqualTo("kept");
    ManagedSecret restored = object("deleted/soon");
    assertThat(restored.getStatus().arn).isEqualTo(arn);
    // RestoreSecret brings back the description, key and tags, as AWS does.
    assertThat(restored.getSpec().description).isEqualTo("Kept while scheduled");
    assertThat(restored.getSpec().kmsKeyId).isEqualTo("alias/managedsecrets");
    assertThat(restored.getSpec().tags)
        .extracting(t -> t.key + "=" + t.value)
        .containsExactly("team=orders", "empty=");
    DescribeSecretResponse live = sm.describeSecret(r -> r.secretId("deleted/soon"));
    assertThat(live.deletedDate()).isNull();
    assertThat(live.description()).isEqualTo("Kept while scheduled");
    assertThat(store.record("default", "deleted/soon").orElseThrow().kept()).isNull();
  }

  @Test
  void forceDeleteWithoutRecoveryPurgesAtOnce() {
    sm.createSecret(r -> r.name("deleted/now").secretString("gone"));

    sm.deleteSecret(r -> r.secretId("deleted/now").forceDeleteWithoutRecovery(true));

    assertThat(store.record("default", "deleted/now")).isEmpty();
    assertThat(
            catchThrowableOfType(
                ResourceNotFoundException.class,
                () -> sm.describeSecret(r -> r.secretId("deleted/now"))))
        .isNotNull();
    InvalidParameterException both =
        catchThrowableOfType(
            InvalidParameterException.class,
            () ->
                sm.deleteSecret(
                    r ->
                        r.secretId("deleted/now")
                            .forceDeleteWithoutRecovery(true)
                            .recoveryWindowInDays(7L)));
    assertThat(both.awsErrorDetails().errorMessage())
        .isEqualTo(
            "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  }

  @Test
  void aValuePutThroughTheEndpointRestartsTheWorkloadsOnceTheSecretHoldsIt() {
    Workloads.deployment(cluster.client, "default", "put-app", Map.of("app", "put-app"));
    create(
        cluster.client,
        managedSecret(
            "default",
            "put-restart",
            s -> {
              s.valueSource = "Store";
              s.target = Workloads.restarting(Workloads.named("Deployment", "put-app"));
            }));
    awaitSynced(cluster.client, "default", "put-restart");

    sm.putSecretValue(
        r -> r.secretId("default/put-restart").secretString("{\"password\":\"one\"}"));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(text(secret(cluster.client, "default", "put-restart")))
                    .isEqualTo(Map.of("password", "one")));
    assertThat(Workloads.restartedAt(cluster.client, "default", "Deployment", "put-app"))
        .as("the first version restarts nothing")
        .isNull();

    String second =
        sm.putSecretValue(
                r -> r.secretId("default/put-restart").secretString("{\"password\":\"two\"}"))
            .versionId();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(get(cluster.client, "default", "put-restart").getStatus())
                    .satisfies(
                        st -> {
                          assertThat(st.versionId).isEqualTo(second);
                          assertThat(st.restartedForVersionId).isEqualTo(second);
                        }));
    assertThat(text(secret(cluster.client, "default", "put-restart")))
        .isEqualTo(Map.of("password", "two"));
    assertThat(Workloads.restartedAt(cluster.client, "default", "Deployment", "put-app"))
        .isNotNull();
  }

  @Test
  void describeAndListSecretsShowTheRotationAsAwsDoesAndNothingOfItForASecretWithout() {
    create(cluster.client, managedSecret("default", "rotating", RotationIT.login("rate(10 days)")));
    awaitSynced(cluster.client, "default", "rotating");
    sm.createSecret(r -> r.name("never/rotated").secretString("v"));

    DescribeSecretResponse rotating = sm.describeSecret(r -> r.secretId("default/rotating"));
    DescribeSecretResponse plain = sm.describeSecret(r -> r.secretId("never/rotated"));

    assertThat(rotating.rotationEnabled()).isTrue();
    assertThat(rotating.rotationRules().scheduleExpression()).isEqualTo("rate(10 days)");
    assertThat(rotating.rotationRules().automaticallyAfterDays()).isNull();
    assertThat(rotating.nextRotationDate()).isAfter(Instant.now().plus(Duration.ofDays(9)));
    assertThat(rotating.lastRotatedDate()).isNull();
    assertThat(plain.rotationEnabled()).isNull();
    assertThat(plain.rotationRules()).isNull();
    assertThat(plain.nextRotationDate()).isNull();
    SecretListEntry listed =
        sm.listSecrets(
                r ->
                    r.filters(
                        Filter.builder()
                            .key(FilterNameStringType.NAME)
                            .values("default/rotating")
                            .build()))
            .secretList()
            .get(0);
    assertThat(listed.rotationEnabled()).isTrue();
    assertThat(listed.rotationRules().scheduleExpression()).isEqualTo("rate(10 days)");
    assertThat(listed.nextRotationDate()).isEqualTo(rotating.nextRotationDate());
  }

  @Test
  void getRandomPasswordFollowsAwsParameters() {
    String password =
        sm.getRandomPassword(r -> r.passwordLength(20L).excludePunctuation(true)).randomPassword();
    SecretsManagerException tooShort =
        catchThrowableOfType(
            SecretsManagerException.class, () -> sm.getRandomPassword(r -> r.passwordLength(0L)));

    assertThat(password).hasSize(20).matches("[A-Za-z0-9]+");
    assertThat(tooShort.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
  }

  @Test
  void theOperationsOfLaterCapabilitiesAnswerAsForASecretWithoutThem() {
    String arn = sm.createSecret(r -> r.name("plain").secretString("v")).arn();

    assertThat(sm.getResourcePolicy(r -> r.secretId("plain")).resourcePolicy()).isNull();
    assertThat(sm.deleteResourcePolicy(r -> r.secretId("plain")).arn()).isEqualTo(arn);
    assertThat(
            catchThrowableOfType(
                InvalidRequestException.class, () -> sm.rotateSecret(r -> r.secretId("plain"))))
        .isNotNull();
  }

  /** This operator has no peer region (config.replication.peers): no region can be a replica's. */
  static final String NO_PEERS =
      "Replica region eu-west-1 is not a peer region of this operator, which has none: list the"
          + " regions it may replicate to in the chart value config.replication.peers.";

  @Test
  void replicaRegionsOfAnOperatorWithoutPeersAreRefusedAndNothingIsWritten() {
    sm.createSecret(r -> r.name("unreplicated").secretString("v"));
    Long generation = object("unreplicated").getMetadata().getGeneration();

    InvalidParameterException replicate =
        catchThrowableOfType(
            InvalidParameterException.class,
            () ->
                sm.replicateSecretToRegions(
                    r -> r.secretId("unreplicated").addReplicaRegions(x -> x.region("eu-west-1"))));
    InvalidParameterException create =
        catchThrowableOfType(
            InvalidParameterException.class,
            () ->
                sm.createSecret(
                    r ->
                        r.name("replicated-nowhere")
                            .secretString("v")
                            .addReplicaRegions(x -> x.region("eu-west-1"))));
    InvalidParameterException own =
        catchThrowableOfType(
            InvalidParameterException.class,
            () ->
                sm.replicateSecretToRegions(
                    r ->
                        r.secretId("unreplicated")
                            .addReplicaRegions(x -> x.region(EndpointClients.REGION))));

    assertThat(replicate.awsErrorDetails().errorMessage()).isEqualTo(NO_PEERS);
    assertThat(create.awsErrorDetails().errorMessage()).isEqualTo(NO_PEERS);
    assertThat(own.awsErrorDetails().errorMessage()).isEqualTo("Invalid replica region.");
    ManagedSecret ms = object("unreplicated");
    assertThat(ms.getMetadata().getGeneration()).isEqualTo(generation);
    assertThat(ms.getSpec().replicaRegions).isNull();
    assertThat(
            cluster.client.resources(ManagedSecret.class).inNamespace("default").list().getItems())
        .noneMatch(m -> "replicated-nowhere".equals(m.getSpec().secretName));
  }

  @Test
  void aBinaryValueGoesInAndComesOutAsTheSameBytes() {
    byte[] bytes = {0, (byte) 0xff, 10, 13};
    sm.createSecret(r -> r.name("binary").secretBinary(SdkBytes.fromByteArray(bytes)));

    assertThat(sm.getSecretValue(r -> r.secretId("binary")).secretBinary().asByteArray())
        .containsExactly(bytes);
  }
}
