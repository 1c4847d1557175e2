package dev.managedsecrets.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DeleteSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretVersionIdsResponse;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsResponse;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;
import software.amazon.awssdk.services.secretsmanager.model.Tag;
import software.amazon.awssdk.services.secretsmanager.model.UpdateSecretResponse;

/**
 * AWS Secrets Manager's behaviours, one row each: a request and the answer or error AWS gives, with
 * where that expectation comes from (AWS's API reference, or a public emulator's recording of real
 * AWS: LocalStack's snapshot tests marked as validated against AWS, moto's tests marked {@code
 * aws_verified}). Run twice, with AWS's SDK for Java v2: against the endpoint ({@link
 * AwsBehavioursIT}), and against the kubectl plugin (the e2e module's {@code
 * AwsBehavioursThroughPluginIT}); both must give the same answers.
 *
 * <p>Sources, as cited in each row: "LocalStack" is {@code localstack/localstack}, {@code
 * tests/aws/services/secretsmanager/test_secretsmanager.py} and its {@code .snapshot.json}; "moto"
 * is {@code getmoto/moto}, {@code tests/test_secretsmanager/test_secretsmanager.py} and {@code
 * test_list_secrets.py}; "API reference" is AWS's Secrets Manager API reference.
 */
public final class AwsBehaviours {

  static final String INVALID_NAME =
      "Invalid name. Must be a valid name containing alphanumeric characters, or any of the"
          + " following: -/_+=.@!";
  static final String MARKED =
      "You can't perform this operation on the secret because it was marked for deletion.";
  static final String T1 = "11111111-1111-4111-8111-111111111111";
  static final String T2 = "22222222-2222-4222-8222-222222222222";
  static final String T3 = "33333333-3333-4333-8333-333333333333";
  static final String L1 = "a1111111-1111-4111-8111-111111111111";
  static final String L2 = "a2222222-2222-4222-8222-222222222222";
  static final String L3 = "a3333333-3333-4333-8333-333333333333";

  /** aws/current's ARN, as the fixture's CreateSecret answered it. */
  static String currentArn;

  /** Moves the clock of the operator under test. */
  static Consumer<Duration> clock;

  private AwsBehaviours() {}

  /**
   * One behaviour: what it says, where the expectation comes from, the call, and either the check
   * of its answer or the error AWS gives.
   */
  public record Behaviour(
      String says,
      String source,
      Function<SecretsManagerClient, ?> call,
      Consumer<Object> check,
      Failure failure) {
    @Override
    public String toString() {
      return says + " [" + source + "]";
    }
  }

  /** AWS's exception name and message; "ARN" in it stands for aws/current's ARN. */
  record Failure(String type, String message) {}

  /** A check of an answer of type {@code T}. */
  interface Check<T> {
    void accept(T answer);
  }

  @SuppressWarnings("unchecked")
  static <T> Behaviour row(
      String says, String source, Function<SecretsManagerClient, T> call, Check<T> check) {
    return new Behaviour(says, source, call, answer -> check.accept((T) answer), null);
  }

  static Behaviour row(
      String says, String source, Function<SecretsManagerClient, ?> call, Failure failure) {
    return new Behaviour(says, source, call, null, failure);
  }

  /**
   * The secrets the rows ask about, made through {@code sm}; {@code advanceClock} moves the clock
   * of the operator under test.
   */
  public static void setUp(SecretsManagerClient sm, Consumer<Duration> advanceClock) {
    clock = advanceClock;
    // aws/current: v1 (T1) then v2 (T2): v2 AWSCURRENT, v1 AWSPREVIOUS; v3 (T3) labelled blue only.
    currentArn =
        sm.createSecret(r -> r.name("aws/current").secretString("v1").clientRequestToken(T1)).arn();
    sm.putSecretValue(r -> r.secretId("aws/current").secretString("v2").clientRequestToken(T2));
    sm.putSecretValue(
        r ->
            r.secretId("aws/current")
                .secretString("v3")
                .clientRequestToken(T3)
                .versionStages("blue"));
    sm.createSecret(r -> r.name("aws/empty"));
    // aws/deprecated: three values; the first has no label left.
    sm.createSecret(r -> r.name("aws/deprecated").secretString("d1").clientRequestToken(T1));
    sm.putSecretValue(r -> r.secretId("aws/deprecated").secretString("d2"));
    sm.putSecretValue(r -> r.secretId("aws/deprecated").secretString("d3"));
    sm.createSecret(r -> r.name("aws/untagged").secretString("x").tags(tag("team", "orders")));
    sm.untagResource(r -> r.secretId("aws/untagged").tagKeys("team"));
    sm.createSecret(r -> r.name("aws/scheduled").secretString("x"));
    sm.deleteSecret(r -> r.secretId("aws/scheduled").recoveryWindowInDays(7L));
    List.of("a secret", "an secret", "asecret", "thesecret")
        .forEach(
            d -> {
              String name = "aws/filter-" + d.replace(' ', '_');
              sm.createSecret(r -> r.name(name).description(d));
            });
    sm.createSecret(r -> r.name("aws/uat/COMPANY/x"));
    // aws/labels: v1, v2 (v1 AWSPREVIOUS), v3 labelled custom only, for label moves.
    sm.createSecret(r -> r.name("aws/labels").secretString("l1").clientRequestToken(L1));
    sm.putSecretValue(r -> r.secretId("aws/labels").secretString("l2").clientRequestToken(L2));
    sm.putSecretValue(
        r ->
            r.secretId("aws/labels")
                .secretString("l3")
                .clientRequestToken(L3)
                .versionStages("PUT1", "AWSSOMETHING"));
    sm.createSecret(r -> r.name("aws/restore").secretString("r"));
    sm.deleteSecret(r -> r.secretId("aws/restore").recoveryWindowInDays(7L));
    sm.createSecret(r -> r.name("aws/uat/COMPANYthings/x"));
  }

  static Tag tag(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }

  public static Stream<Behaviour> behaviours() {
    Stream<Behaviour> invalidNames =
        Map.<String, Function<SecretsManagerClient, Object>>of(
                "DescribeSecret", c -> c.describeSecret(r -> r.secretId("Inv Name")),
                "GetSecretValue", c -> c.getSecretValue(r -> r.secretId("Inv Name")),
                "PutSecretValue",
                    c -> c.putSecretValue(r -> r.secretId("Inv Name").secretString("x")),
                "UpdateSecret", c -> c.updateSecret(r -> r.secretId("Inv Name").description("d")),
                "TagResource", c -> c.tagResource(r -> r.secretId("Inv Name").tags(tag("k", "v"))),
                "UntagResource", c -> c.untagResource(r -> r.secretId("Inv Name").tagKeys("k")),
                "ListSecretVersionIds",
                    c ->
                        c.listSecretVersionIds(r -> r.secretId("Inv Name").includeDeprecated(true)),
                "DeleteSecret",
                    c ->
                        c.deleteSecret(
                            r -> r.secretId("Inv Name").forceDeleteWithoutRecovery(true)))
            .entrySet()
            .stream()
            .map(
                e ->
                    row(
                        e.getKey() + " of an invalid name is ValidationException",
                        "LocalStack test_invalid_secret_name",
                        e.getValue(),
                        error("ValidationException", INVALID_NAME)));
    return Stream.concat(
        invalidNames,
        Stream.of(
            row(
                "GetSecretValue of a name that is not there",
                "LocalStack test_secret_not_found",
                c -> c.getSecretValue(r -> r.secretId("aws/not-there")),
                error(
                    "ResourceNotFoundException",
                    "Secrets Manager can't find the specified secret.")),
            row(
                "GetSecretValue of a secret without a value",
                "LocalStack test_secret_version_not_found",
                c -> c.getSecretValue(r -> r.secretId("aws/empty")),
                error(
                    "ResourceNotFoundException",
                    "Secrets Manager can't find the specified secret value for staging label:"
                        + " AWSCURRENT")),
            row(
                "GetSecretValue of a VersionId that is not there",
                "LocalStack test_secret_version_not_found",
                c ->
                    c.getSecretValue(
                        r ->
                            r.secretId("aws/current")
                                .versionId("44444444-4444-4444-8444-444444444444")),
                error(
                    "ResourceNotFoundException",
                    "Secrets Manager can't find the specified secret value for VersionId:"
                        + " 44444444-4444-4444-8444-444444444444")),
            row(
                "GetSecretValue of a VersionStage on no version",
                "LocalStack test_secret_version_not_found",
                c -> c.getSecretValue(r -> r.secretId("aws/current").versionStage("AWSPENDING")),
                error(
                    "ResourceNotFoundException",
                    "Secrets Manager can't find the specified secret value for staging label:"
                        + " AWSPENDING")),
            row(
                "GetSecretValue of a VersionStage that is not on the VersionId given",
                "LocalStack test_get_secret_value_errors",
                c ->
                    c.getSecretValue(
                        r -> r.secretId("aws/current").versionId(T2).versionStage("AWSPREVIOUS")),
                error(
                    "InvalidRequestException",
                    "You provided a VersionStage that is not associated to the provided"
                        + " VersionId.")),
            row(
                "GetSecretValue of AWSPREVIOUS answers that version with its CreatedDate",
                "LocalStack test_create_and_update_secret; API reference GetSecretValue",
                c -> c.getSecretValue(r -> r.secretId("aws/current").versionStage("AWSPREVIOUS")),
                (GetSecretValueResponse r) -> {
                  assertThat(r.versionId()).isEqualTo(T1);
                  assertThat(r.secretString()).isEqualTo("v1");
                  assertThat(r.versionStages()).containsExactly("AWSPREVIOUS");
                  assertThat(r.createdDate()).isNotNull();
                  assertThat(r.arn()).isEqualTo(currentArn);
                }),
            row(
                "PutSecretValue with VersionStages without AWSCURRENT leaves AWSCURRENT where it is",
                "LocalStack test_put_secret_value_with_version_stages",
                c -> c.getSecretValue(r -> r.secretId("aws/current")),
                (GetSecretValueResponse r) -> {
                  assertThat(r.versionId()).isEqualTo(T2);
                  assertThat(r.secretString()).isEqualTo("v2");
                }),
            row(
                "GetSecretValue of a custom label answers its version",
                "LocalStack test_put_secret_value_with_version_stages",
                c -> c.getSecretValue(r -> r.secretId("aws/current").versionStage("blue")),
                (GetSecretValueResponse r) -> {
                  assertThat(r.versionId()).isEqualTo(T3);
                  assertThat(r.versionStages()).containsExactly("blue");
                }),
            row(
                "CreateSecret of a name that exists",
                "LocalStack test_secret_exists_snapshots",
                c -> c.createSecret(r -> r.name("aws/current").secretString("other")),
                error(
                    "ResourceExistsException",
                    "The operation failed because the secret aws/current already exists.")),
            row(
                "CreateSecret again with the same ClientRequestToken and value answers as the"
                    + " first did",
                "moto test_create_duplicate_secret_with_same_token (aws_verified)",
                c ->
                    c.createSecret(
                        r -> r.name("aws/current").secretString("v1").clientRequestToken(T1)),
                (CreateSecretResponse r) -> {
                  assertThat(r.versionId()).isEqualTo(T1);
                  assertThat(r.arn()).isEqualTo(currentArn);
                }),
            row(
                "CreateSecret again with the same ClientRequestToken and another value names the"
                    + " token",
                "moto test_create_different_secret_with_same_token (aws_verified)",
                c ->
                    c.createSecret(
                        r -> r.name("aws/current").secretString("other").clientRequestToken(T1)),
                error(
                    "ResourceExistsException",
                    "You can't use ClientRequestToken "
                        + T1
                        + " because that value is already in use for a version of secret "
                        + "ARN"
                        + ".")),
            row(
                "PutSecretValue with a used ClientRequestToken and another value names the token",
                "moto test_put_different_secret_value_with_same_token (aws_verified)",
                c ->
                    c.putSecretValue(
                        r ->
                            r.secretId("aws/current").secretString("other").clientRequestToken(T1)),
                error(
                    "ResourceExistsException",
                    "You can't use ClientRequestToken "
                        + T1
                        + " because that value is already in use for a version of secret "
                        + "ARN"
                        + ".")),
            row(
                "CreateSecret of a name scheduled for deletion",
                "LocalStack test_exp_raised_on_creation_of_secret_scheduled_for_deletion",
                c -> c.createSecret(r -> r.name("aws/scheduled").secretString("y")),
                error(
                    "InvalidRequestException",
                    "You can't create this secret because a secret with this name is already"
                        + " scheduled for deletion.")),
            row(
                "TagResource of a secret scheduled for deletion",
                "LocalStack test_tag_untag_resource_on_deleted_secret",
                c -> c.tagResource(r -> r.secretId("aws/scheduled").tags(tag("k", "v"))),
                error("InvalidRequestException", MARKED)),
            row(
                "UntagResource of a secret scheduled for deletion",
                "LocalStack test_tag_untag_resource_on_deleted_secret",
                c -> c.untagResource(r -> r.secretId("aws/scheduled").tagKeys("k")),
                error("InvalidRequestException", MARKED)),
            row(
                "GetSecretValue of a secret scheduled for deletion",
                "API reference InvalidRequestException (the secret is scheduled for deletion)",
                c -> c.getSecretValue(r -> r.secretId("aws/scheduled")),
                error("InvalidRequestException", MARKED)),
            row(
                "PutSecretValue of a secret scheduled for deletion",
                "API reference InvalidRequestException (the secret is scheduled for deletion)",
                c -> c.putSecretValue(r -> r.secretId("aws/scheduled").secretString("y")),
                error("InvalidRequestException", MARKED)),
            row(
                "DescribeSecret of a secret scheduled for deletion shows DeletedDate and its"
                    + " versions",
                "LocalStack test_force_delete_deleted_secret",
                c -> c.describeSecret(r -> r.secretId("aws/scheduled")),
                (DescribeSecretResponse r) -> {
                  assertThat(r.deletedDate()).isNotNull();
                  assertThat(r.versionIdsToStages()).hasSize(1);
                }),
            row(
                "ListSecrets shows a secret scheduled for deletion only with"
                    + " IncludePlannedDeletion",
                "API reference ListSecrets",
                c ->
                    List.of(
                        c.listSecrets(r -> r.filters(f -> f.key("name").values("aws/scheduled"))),
                        c.listSecrets(
                            r ->
                                r.includePlannedDeletion(true)
                                    .filters(f -> f.key("name").values("aws/scheduled")))),
                (List<ListSecretsResponse> r) -> {
                  assertThat(r.get(0).secretList()).isEmpty();
                  assertThat(r.get(1).secretList())
                      .singleElement()
                      .satisfies(e -> assertThat(e.deletedDate()).isNotNull());
                }),
            row(
                "A forced DeleteSecret of a secret that is not there succeeds",
                "API reference DeleteSecret; LocalStack"
                    + " test_delete_non_existent_secret_returns_as_if_secret_exists",
                c ->
                    c.deleteSecret(
                        r -> r.secretId("aws/never-made").forceDeleteWithoutRecovery(true)),
                (DeleteSecretResponse r) -> {
                  assertThat(r.name()).isEqualTo("aws/never-made");
                  assertThat(r.deletionDate()).isNotNull();
                }),
            row(
                "DescribeSecret of a secret never tagged has no Tags; once its last tag is"
                    + " removed, Tags []",
                "LocalStack test_secret_tags",
                c ->
                    List.of(
                        c.describeSecret(r -> r.secretId("aws/current")),
                        c.describeSecret(r -> r.secretId("aws/untagged"))),
                (List<DescribeSecretResponse> r) -> {
                  assertThat(r.get(0).hasTags()).isFalse();
                  assertThat(r.get(1).hasTags()).isTrue();
                  assertThat(r.get(1).tags()).isEmpty();
                }),
            row(
                "DescribeSecret of a secret without a value has no VersionIdsToStages",
                "LocalStack test_secret_tags",
                c -> c.describeSecret(r -> r.secretId("aws/empty")),
                (DescribeSecretResponse r) -> assertThat(r.hasVersionIdsToStages()).isFalse()),
            row(
                "ListSecretVersionIds lists labelled versions; IncludeDeprecated adds the others"
                    + " without VersionStages",
                "LocalStack test_deprecated_secret_version_stage",
                c ->
                    List.of(
                        c.listSecretVersionIds(r -> r.secretId("aws/deprecated")),
                        c.listSecretVersionIds(
                            r -> r.secretId("aws/deprecated").includeDeprecated(true))),
                (List<ListSecretVersionIdsResponse> r) -> {
                  assertThat(r.get(0).versions()).hasSize(2);
                  assertThat(r.get(0).versions()).allMatch(v -> v.hasVersionStages());
                  assertThat(r.get(0).versions()).allMatch(v -> v.createdDate() != null);
                  assertThat(r.get(1).versions()).hasSize(3);
                  assertThat(r.get(1).versions())
                      .filteredOn(v -> v.versionId().equals(T1))
                      .singleElement()
                      .satisfies(v -> assertThat(v.hasVersionStages()).isFalse());
                }),
            row(
                "A new ClientRequestToken makes a new version even for an unchanged value",
                "API reference PutSecretValue (ClientRequestToken)",
                c -> {
                  PutSecretValueResponse first =
                      c.putSecretValue(
                          r ->
                              r.secretId("aws/current")
                                  .secretString("same")
                                  .clientRequestToken("55555555-5555-4555-8555-555555555555"));
                  PutSecretValueResponse second =
                      c.putSecretValue(
                          r ->
                              r.secretId("aws/current")
                                  .secretString("same")
                                  .clientRequestToken("66666666-6666-4666-8666-666666666666"));
                  // Back to v2 as AWSCURRENT for the rows that read it.
                  c.updateSecretVersionStage(
                      r ->
                          r.secretId("aws/current")
                              .versionStage("AWSCURRENT")
                              .moveToVersionId(T2)
                              .removeFromVersionId(second.versionId()));
                  return List.of(first, second);
                },
                (List<PutSecretValueResponse> r) -> {
                  assertThat(r.get(0).versionId())
                      .isEqualTo("55555555-5555-4555-8555-555555555555");
                  assertThat(r.get(1).versionId())
                      .isEqualTo("66666666-6666-4666-8666-666666666666");
                  assertThat(r.get(1).versionStages()).containsExactly("AWSCURRENT");
                }),
            row(
                "UpdateSecretVersionStage moving AWSCURRENT without RemoveFromVersionId",
                "moto test_update_secret_version_stage_dont_specify_current_stage (aws_verified)",
                c ->
                    c.updateSecretVersionStage(
                        r ->
                            r.secretId("aws/current")
                                .versionStage("AWSCURRENT")
                                .moveToVersionId(T1)),
                error(
                    "InvalidParameterException",
                    "The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is"
                        + " currently attached to version "
                        + T2
                        + ", so you must explicitly reference that version in"
                        + " RemoveFromVersionId.")),
            row(
                "SecretString and SecretBinary together",
                "API reference PutSecretValue (SecretBinary or SecretString, but not both)",
                c ->
                    c.putSecretValue(
                        r ->
                            r.secretId("aws/current")
                                .secretString("x")
                                .secretBinary(SdkBytes.fromUtf8String("x"))),
                error(
                    "InvalidParameterException",
                    "You can't specify both a binary secret value and a string secret value in"
                        + " the same secret.")),
            row(
                "UpdateSecret of the description answers without a VersionId and moves"
                    + " LastChangedDate",
                "LocalStack test_update_secret_description; API reference DescribeSecret"
                    + " (LastChangedDate: modified in any way)",
                c -> {
                  Instant before = c.describeSecret(r -> r.secretId("aws/empty")).lastChangedDate();
                  clock.accept(Duration.ofMinutes(1));
                  UpdateSecretResponse updated =
                      c.updateSecret(r -> r.secretId("aws/empty").description("changed"));
                  await()
                      .atMost(Fixtures.WAIT)
                      .until(
                          () -> {
                            Instant changed =
                                c.describeSecret(r -> r.secretId("aws/empty")).lastChangedDate();
                            return changed != null && (before == null || changed.isAfter(before));
                          });
                  return updated;
                },
                (UpdateSecretResponse r) -> {
                  assertThat(r.versionId()).isNull();
                  assertThat(r.name()).isEqualTo("aws/empty");
                }),
            row(
                "CreateSecret without a value answers ARN and Name, without a VersionId",
                "LocalStack test_secret_tags (create_secret)",
                c -> c.createSecret(r -> r.name("aws/no-value-yet")),
                (CreateSecretResponse r) -> {
                  assertThat(r.name()).isEqualTo("aws/no-value-yet");
                  assertThat(r.arn()).isNotNull();
                  assertThat(r.versionId()).isNull();
                }),
            row(
                "The first PutSecretValue of a secret without a value makes it AWSCURRENT",
                "LocalStack test_create_secret_version_from_empty_secret",
                c -> {
                  c.createSecret(r -> r.name("aws/first-put"));
                  return c.putSecretValue(r -> r.secretId("aws/first-put").secretString("p"));
                },
                (PutSecretValueResponse r) ->
                    assertThat(r.versionStages()).containsExactly("AWSCURRENT")),
            row(
                "GetSecretValue by the ARN without its random suffix",
                "LocalStack test_create_and_update_secret (get_secret_value_rs_3)",
                c ->
                    c.getSecretValue(
                        r -> r.secretId(currentArn.substring(0, currentArn.length() - 7))),
                (GetSecretValueResponse r) -> assertThat(r.name()).isEqualTo("aws/current")),
            row(
                "UpdateSecretVersionStage moving AWSCURRENT: the target keeps its labels, the"
                    + " source keeps its custom ones and gains AWSPREVIOUS, which leaves the"
                    + " version that had it",
                "LocalStack test_update_secret_version_stages_current_pending_cycle_custom_stages;"
                    + " moto test_update_secret_version_stage_manually (aws_verified)",
                c -> {
                  c.updateSecretVersionStage(
                      r ->
                          r.secretId("aws/labels")
                              .versionStage("AWSCURRENT")
                              .moveToVersionId(L3)
                              .removeFromVersionId(L2));
                  return c.describeSecret(r -> r.secretId("aws/labels"));
                },
                (DescribeSecretResponse r) -> {
                  assertThat(r.versionIdsToStages().get(L3))
                      .containsExactlyInAnyOrder("AWSCURRENT", "PUT1", "AWSSOMETHING");
                  assertThat(r.versionIdsToStages().get(L2)).containsExactly("AWSPREVIOUS");
                  assertThat(r.versionIdsToStages()).doesNotContainKey(L1);
                }),
            row(
                "UpdateSecretVersionStage removing a custom label answers ARN and Name",
                "LocalStack test_update_secret_version_stages_current_pending_cycle_custom_stages"
                    + " (update_secret_version_stage_res_2)",
                c -> {
                  var answer =
                      c.updateSecretVersionStage(
                          r ->
                              r.secretId("aws/labels")
                                  .versionStage("PUT1")
                                  .removeFromVersionId(L3));
                  return List.of(
                      answer.name(),
                      c.describeSecret(r -> r.secretId("aws/labels")).versionIdsToStages().get(L3));
                },
                (List<Object> r) -> {
                  assertThat(r.get(0)).isEqualTo("aws/labels");
                  @SuppressWarnings("unchecked")
                  List<String> labels = (List<String>) r.get(1);
                  assertThat(labels).doesNotContain("PUT1").contains("AWSCURRENT");
                }),
            row(
                "UpdateSecret with nothing to change answers ARN and Name",
                "LocalStack test_update_secret_description (update_secret_res_3)",
                c -> c.updateSecret(r -> r.secretId("aws/current")),
                (UpdateSecretResponse r) -> {
                  assertThat(r.arn()).isEqualTo(currentArn);
                  assertThat(r.versionId()).isNull();
                }),
            row(
                "DeleteSecret answers ARN, Name and DeletionDate; RestoreSecret ARN and Name, and"
                    + " DescribeSecret then has no DeletedDate",
                "LocalStack test_secret_restore (delete_secret_res, restore_secret_res)",
                c -> {
                  var restored = c.restoreSecret(r -> r.secretId("aws/restore"));
                  return List.of(
                      restored.name(),
                      String.valueOf(restored.arn() != null),
                      String.valueOf(
                          c.describeSecret(r -> r.secretId("aws/restore")).deletedDate()));
                },
                (List<String> r) -> assertThat(r).containsExactly("aws/restore", "true", "null")),
            row(
                "The name filter is a prefix of the whole name, not split into words",
                "LocalStack test_list_secrets_filtering",
                c -> List.of(names(c, "name", "aws/filter-"), names(c, "name", "filter")),
                (List<List<String>> r) -> {
                  assertThat(r.get(0)).hasSize(4);
                  assertThat(r.get(1)).isEmpty();
                }),
            row(
                "The description filter matches a prefix of any word, not case-sensitive",
                "LocalStack test_list_secrets_filtering",
                c ->
                    List.of(
                        names(c, "description", "a"),
                        names(c, "description", "!a"),
                        names(c, "description", "a secret"),
                        names(c, "description", "!c"),
                        names(c, "description", "SECRET")),
                (List<List<String>> r) -> {
                  assertThat(r.get(0))
                      .containsExactlyInAnyOrder(
                          "aws/filter-a_secret", "aws/filter-an_secret", "aws/filter-asecret");
                  assertThat(r.get(1)).contains("aws/filter-thesecret");
                  assertThat(r.get(1)).doesNotContain("aws/filter-a_secret");
                  assertThat(r.get(2))
                      .containsExactlyInAnyOrder("aws/filter-a_secret", "aws/filter-an_secret");
                  assertThat(r.get(3)).contains("aws/filter-a_secret", "aws/filter-thesecret");
                  assertThat(r.get(4))
                      .containsExactlyInAnyOrder("aws/filter-a_secret", "aws/filter-an_secret");
                }),
            row(
                "The all filter matches a prefix of a word, words split where the case changes",
                "moto test_with_all_filter_special_characters (aws_verified)",
                c ->
                    List.of(
                        names(c, "all", "company"),
                        names(c, "all", "Ythings"),
                        names(c, "all", "pany")),
                (List<List<String>> r) -> {
                  assertThat(r.get(0)).containsExactly("aws/uat/COMPANY/x");
                  assertThat(r.get(1)).containsExactly("aws/uat/COMPANYthings/x");
                  assertThat(r.get(2)).isEmpty();
                }),
            row(
                "Filters of several keys are ANDed",
                "LocalStack test_list_secrets_filtering",
                c ->
                    List.of(
                        names(c, "description", "a", "name", "aws/filter-an"),
                        names(c, "description", "a", "name", "secret")),
                (List<List<String>> r) -> {
                  assertThat(r.get(0)).containsExactly("aws/filter-an_secret");
                  assertThat(r.get(1)).isEmpty();
                })));
  }

  /**
   * Runs one row with {@code client}: its answer passes the row's check, or its error is AWS's
   * exception name and text, and (where the client sees the service's HTTP status) status 400.
   */
  public static void assertAnswers(Behaviour b, SecretsManagerClient client, boolean httpStatus) {
    if (b.failure() == null) {
      b.check().accept(b.call().apply(client));
      return;
    }
    SecretsManagerException e =
        catchThrowableOfType(SecretsManagerException.class, () -> b.call().apply(client));
    assertThat(e).as("an error").isNotNull();
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo(b.failure().type());
    assertThat(e.awsErrorDetails().errorMessage())
        .isEqualTo(b.failure().message().replace("secret ARN.", "secret " + currentArn + "."));
    if (httpStatus) {
      assertThat(e.statusCode()).isEqualTo(400);
    }
  }

  /** The names ListSecrets gives for one filter, or two filters ANDed. */
  static List<String> names(SecretsManagerClient c, String key, String value, String... more) {
    return c
        .listSecrets(
            r -> {
              if (more.length == 0) {
                r.filters(f -> f.key(key).values(value));
              } else {
                r.filters(f -> f.key(key).values(value), f -> f.key(more[0]).values(more[1]));
              }
            })
        .secretList()
        .stream()
        .map(SecretListEntry::name)
        .toList();
  }

  static Failure error(String type, String message) {
    return new Failure(type, message);
  }
}
