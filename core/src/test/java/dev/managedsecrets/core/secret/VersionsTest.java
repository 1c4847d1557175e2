package dev.managedsecrets.core.secret;

import static dev.managedsecrets.core.secret.StagingLabels.AWSCURRENT;
import static dev.managedsecrets.core.secret.StagingLabels.AWSPENDING;
import static dev.managedsecrets.core.secret.StagingLabels.AWSPREVIOUS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class VersionsTest {

  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
  private static final SecretId ID = new SecretId("team-a", "prod/db");
  private static final String ARN =
      "arn:k8s:secretsmanager:local:123456789012:secret:prod/db-AbCdEf";

  private static StoredSecret empty() {
    return StoredSecret.create(ID, ARN, "db", "uid-1", NOW.minus(Duration.ofDays(60)));
  }

  private static StoredVersion version(String id, Instant created, String... stages) {
    return new StoredVersion(
        id, created, List.of(stages), "arn:k8s:kms:local:123456789012:key/k", "vh", "ih", Map.of());
  }

  private static List<String> stagesOf(StoredSecret secret, String versionId) {
    return secret.version(versionId).orElseThrow().stages();
  }

  private static List<String> ids(List<StoredVersion> versions) {
    return versions.stream().map(StoredVersion::versionId).toList();
  }

  @Test
  void firstVersionGetsAwsCurrent() {
    Versions.Added added = Versions.addCurrent(empty(), version("v1", NOW), NOW);

    assertThat(added.secret().versions()).hasSize(1);
    assertThat(stagesOf(added.secret(), "v1")).containsExactly(AWSCURRENT);
    assertThat(added.secret().current().map(StoredVersion::versionId)).contains("v1");
    assertThat(added.secret().versionWithStage(AWSPREVIOUS)).isEmpty();
    assertThat(added.secret().lastChangedDate()).isEqualTo(NOW);
    assertThat(added.removed()).isEmpty();
  }

  @Test
  void newValueMovesAwsCurrentAndAwsPreviousLikeAws() {
    StoredSecret s = Versions.addCurrent(empty(), version("v1", NOW), NOW).secret();
    s = Versions.addCurrent(s, version("v2", NOW.plusSeconds(1)), NOW.plusSeconds(1)).secret();

    assertThat(stagesOf(s, "v1")).containsExactly(AWSPREVIOUS);
    assertThat(stagesOf(s, "v2")).containsExactly(AWSCURRENT);

    s = Versions.addCurrent(s, version("v3", NOW.plusSeconds(2)), NOW.plusSeconds(2)).secret();

    assertThat(stagesOf(s, "v1")).as("AWSPREVIOUS is taken off the version that had it").isEmpty();
    assertThat(stagesOf(s, "v2")).containsExactly(AWSPREVIOUS);
    assertThat(stagesOf(s, "v3")).containsExactly(AWSCURRENT);
    assertThat(s.versionIdsToStages())
        .containsOnlyKeys("v2", "v3")
        .containsEntry("v2", List.of(AWSPREVIOUS))
        .containsEntry("v3", List.of(AWSCURRENT));
  }

  @Test
  void eachLabelIsOnExactlyOneVersionAfterManyNewValues() {
    StoredSecret s = empty();
    for (int i = 0; i < 10; i++) {
      Instant t = NOW.plusSeconds(i);
      s = Versions.addCurrent(s, version("v" + i, t), t).secret();
    }
    StoredSecret last = s;
    assertThat(s.versions().stream().filter(v -> v.hasStage(AWSCURRENT))).hasSize(1);
    assertThat(s.versions().stream().filter(v -> v.hasStage(AWSPREVIOUS))).hasSize(1);
    assertThat(stagesOf(last, "v9")).containsExactly(AWSCURRENT);
    assertThat(stagesOf(last, "v8")).containsExactly(AWSPREVIOUS);
    assertThat(IntStream.range(0, 8).mapToObj(i -> stagesOf(last, "v" + i)))
        .allSatisfy(stages -> assertThat(stages).isEmpty());
  }

  @Test
  void customLabelsAndAwsPendingStayWhereTheyAre() {
    StoredSecret s =
        empty()
            .withVersions(
                List.of(
                    version("v1", NOW.minusSeconds(30), AWSPREVIOUS, "blue"),
                    version("v2", NOW.minusSeconds(20), AWSCURRENT, "green"),
                    version("v3", NOW.minusSeconds(10), AWSPENDING)),
                NOW.minusSeconds(10));

    StoredSecret after = Versions.addCurrent(s, version("v4", NOW), NOW).secret();

    assertThat(stagesOf(after, "v1")).containsExactly("blue");
    assertThat(stagesOf(after, "v2")).containsExactlyInAnyOrder("green", AWSPREVIOUS);
    assertThat(stagesOf(after, "v3")).containsExactly(AWSPENDING);
    assertThat(stagesOf(after, "v4")).containsExactly(AWSCURRENT);
  }

  @Test
  void newVersionIsAppendedAsNewestAndOthersKeepTheirOrder() {
    StoredSecret s = Versions.addCurrent(empty(), version("v1", NOW), NOW).secret();
    s = Versions.addCurrent(s, version("v2", NOW.plusSeconds(1)), NOW.plusSeconds(1)).secret();

    assertThat(ids(s.versions())).containsExactly("v1", "v2");
  }

  @Test
  void addingAVersionIdThatExistsIsRefused() {
    StoredSecret s = Versions.addCurrent(empty(), version("v1", NOW), NOW).secret();

    assertThatThrownBy(() -> Versions.addCurrent(s, version("v1", NOW.plusSeconds(1)), NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("v1");
  }

  /**
   * 130 versions, one every 6 hours (about 32 days), oldest first; the newest carries AWSCURRENT,
   * the one before AWSPREVIOUS, index 0 a custom label and index 10 AWSPENDING.
   */
  private static StoredSecret oneHundredThirtyVersionsOverDays() {
    List<StoredVersion> versions = new ArrayList<>();
    for (int i = 0; i < 130; i++) {
      Instant created = NOW.minus(Duration.ofHours(6L * (130 - i)));
      List<String> stages =
          switch (i) {
            case 0 -> List.of("blue");
            case 10 -> List.of(AWSPENDING);
            case 128 -> List.of(AWSPREVIOUS);
            case 129 -> List.of(AWSCURRENT);
            default -> List.of();
          };
      versions.add(version("v" + i, created, stages.toArray(String[]::new)));
    }
    return empty().withVersions(versions, NOW.minus(Duration.ofHours(6)));
  }

  @Test
  void retentionKeepsNewestHundredAndLabelledAndRemovesOlderUnlabelled() {
    Versions.Added result = Versions.retain(oneHundredThirtyVersionsOverDays(), NOW);

    List<String> expectedRemoved =
        IntStream.range(1, 30).filter(i -> i != 10).mapToObj(i -> "v" + i).toList();
    assertThat(ids(result.removed())).containsExactlyElementsOf(expectedRemoved);

    List<String> expectedKept = new ArrayList<>(List.of("v0", "v10"));
    IntStream.range(30, 130).forEach(i -> expectedKept.add("v" + i));
    assertThat(ids(result.secret().versions())).containsExactlyElementsOf(expectedKept);
    assertThat(stagesOf(result.secret(), "v0")).containsExactly("blue");
    assertThat(stagesOf(result.secret(), "v10")).containsExactly(AWSPENDING);
    assertThat(result.secret().lastChangedDate()).isEqualTo(NOW.minus(Duration.ofHours(6)));
  }

  @Test
  void retentionRunsWhenANewVersionIsAdded() {
    StoredSecret s = oneHundredThirtyVersionsOverDays();

    Versions.Added added = Versions.addCurrent(s, version("v130", NOW), NOW);

    // 131 versions: the newest 100 are v31..v130; v0 (custom label) and v10 (AWSPENDING) stay.
    List<String> expectedRemoved =
        IntStream.range(1, 31).filter(i -> i != 10).mapToObj(i -> "v" + i).toList();
    assertThat(ids(added.removed())).containsExactlyElementsOf(expectedRemoved);
    assertThat(added.secret().versions()).hasSize(131 - expectedRemoved.size());
    assertThat(stagesOf(added.secret(), "v130")).containsExactly(AWSCURRENT);
    assertThat(stagesOf(added.secret(), "v129")).containsExactly(AWSPREVIOUS);
    assertThat(stagesOf(added.secret(), "v128")).isEmpty();
    assertThat(added.secret().versionWithStage(AWSPENDING).map(StoredVersion::versionId))
        .contains("v10");
  }

  @Test
  void retentionKeepsEveryVersionYoungerThan24HoursEvenBeyondHundred() {
    List<StoredVersion> versions = new ArrayList<>();
    // 20 old unlabelled versions, 2..21 days old
    for (int i = 0; i < 20; i++) {
      versions.add(version("old" + i, NOW.minus(Duration.ofDays(21 - i))));
    }
    // 110 young versions, one every 10 minutes within the last 23 hours
    for (int i = 0; i < 110; i++) {
      versions.add(version("young" + i, NOW.minus(Duration.ofMinutes(10L * (110 - i) + 1))));
    }
    StoredSecret s = empty().withVersions(versions, NOW);

    Versions.Added result = Versions.retain(s, NOW);

    assertThat(ids(result.removed()))
        .containsExactlyElementsOf(IntStream.range(0, 20).mapToObj(i -> "old" + i).toList());
    assertThat(ids(result.secret().versions()))
        .containsExactlyElementsOf(IntStream.range(0, 110).mapToObj(i -> "young" + i).toList());
  }

  @Test
  void retentionOrdersByCreatedDateNotByListPosition() {
    List<StoredVersion> versions = new ArrayList<>();
    // 101 unlabelled versions listed newest first: the oldest by date is last in the list
    for (int i = 0; i < 101; i++) {
      versions.add(version("v" + i, NOW.minus(Duration.ofDays(2 + i))));
    }
    StoredSecret s = empty().withVersions(versions, NOW);

    Versions.Added result = Versions.retain(s, NOW);

    assertThat(ids(result.removed())).containsExactly("v100");
  }

  @Test
  void retentionRemovesNothingAtOrBelowHundredVersions() {
    List<StoredVersion> versions = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      versions.add(version("v" + i, NOW.minus(Duration.ofDays(200 - i))));
    }
    StoredSecret s = empty().withVersions(versions, NOW);

    Versions.Added result = Versions.retain(s, NOW);

    assertThat(result.removed()).isEmpty();
    assertThat(result.secret()).isSameAs(s);
  }

  @Test
  void retentionNeverRemovesALabelledVersionHoweverOld() {
    List<StoredVersion> versions = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      versions.add(version("v" + i, NOW.minus(Duration.ofDays(400 - i)), "label" + i));
    }
    StoredSecret s = empty().withVersions(versions, NOW);

    Versions.Added result = Versions.retain(s, NOW);

    assertThat(result.removed()).isEmpty();
    assertThat(result.secret().versions()).hasSize(150);
    assertThat(
            result.secret().versions().stream()
                .map(StoredVersion::versionId)
                .collect(Collectors.toSet()))
        .hasSize(150);
  }
}
