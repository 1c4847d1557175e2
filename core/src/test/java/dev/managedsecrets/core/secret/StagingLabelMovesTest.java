package dev.managedsecrets.core.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StagingLabelMovesTest {

  static final Instant NOW = Instant.parse("2026-11-28T00:00:00Z");
  static final SecretId ID = new SecretId("ns", "app/db");

  static StoredVersion version(String id, Instant created, String... stages) {
    return new StoredVersion(
        id, created, List.of(stages), "arn:key", "vh-" + id, "ih-" + id, Map.of());
  }

  static StoredSecret secret(StoredVersion... versions) {
    return new StoredSecret(ID, "arn:s", "o", "uid", NOW, NOW, null, null, List.of(versions), "1");
  }

  static Map<String, List<String>> stages(StoredSecret s) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    s.versions().forEach(v -> out.put(v.versionId(), v.stages()));
    return out;
  }

  @Test
  void movingAwsCurrentMakesTheVersionItLeavesAwsPrevious() {
    StoredSecret s =
        secret(
            version("v1", NOW, "AWSPREVIOUS"),
            version("v2", NOW, "AWSCURRENT"),
            version("v3", NOW));
    StoredSecret moved = Versions.moveLabel(s, "AWSCURRENT", "v1", "v2", false);
    assertThat(stages(moved))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("v1", List.of("AWSCURRENT"), "v2", List.of("AWSPREVIOUS"), "v3", List.of()));
  }

  @Test
  void movingALabelAttachedElsewhereWithoutRemoveFromVersionIdGivesAwsText() {
    StoredSecret s = secret(version("v1", NOW), version("v2", NOW, "AWSCURRENT"));
    assertThatThrownBy(() -> Versions.moveLabel(s, "AWSCURRENT", "v1", null, false))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> {
              assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT"
                          + " is currently attached to version v2, so you must explicitly reference"
                          + " that version in RemoveFromVersionId.");
            });
    assertThatThrownBy(() -> Versions.moveLabel(s, "AWSCURRENT", "v1", "v9", false))
        .isInstanceOf(SecretsManagerException.class)
        .hasMessageContaining("currently attached to version v2");
  }

  @Test
  void movingAwsCurrentOntoTheAwsPendingVersionKeepsBothLabels() {
    StoredSecret s = secret(version("v1", NOW, "AWSCURRENT"), version("v2", NOW, "AWSPENDING"));
    StoredSecret moved = Versions.moveLabel(s, "AWSCURRENT", "v2", "v1", false);
    assertThat(moved.version("v2").orElseThrow().stages())
        .containsExactlyInAnyOrder("AWSCURRENT", "AWSPENDING");
    assertThat(moved.version("v1").orElseThrow().stages()).containsExactly("AWSPREVIOUS");
  }

  @Test
  void aCustomLabelMovesOffItsOldVersionAndLeavesAwsPreviousAlone() {
    StoredSecret s =
        secret(version("v1", NOW, "AWSPREVIOUS", "blue"), version("v2", NOW, "AWSCURRENT"));
    StoredSecret moved = Versions.moveLabel(s, "blue", "v2", "v1", false);
    assertThat(stages(moved))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("v1", List.of("AWSPREVIOUS"), "v2", List.of("AWSCURRENT", "blue")));
  }

  @Test
  void movingToAMissingVersionIsResourceNotFoundWithAwsText() {
    StoredSecret s = secret(version("v1", NOW, "AWSCURRENT"));
    assertThatThrownBy(() -> Versions.moveLabel(s, "AWSCURRENT", "nope", "v1", false))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> {
              assertThat(e.error()).isEqualTo(AwsError.RESOURCE_NOT_FOUND_EXCEPTION);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "Secrets Manager can't find the specified secret value for VersionId: nope");
            });
  }

  @Test
  void aLabelLongerThan256CharactersIsRefused() {
    StoredSecret s = secret(version("v1", NOW, "AWSCURRENT"));
    assertThatThrownBy(() -> Versions.moveLabel(s, "x".repeat(257), "v1", null, true))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> assertThat(e.error()).isEqualTo(AwsError.VALIDATION_EXCEPTION));
  }

  @Test
  void moreThanTwentyLabelsAcrossTheVersionsIsLimitExceeded() {
    List<String> labels = new ArrayList<>(List.of("AWSCURRENT"));
    for (int i = 0; i < 19; i++) {
      labels.add("l" + i);
    }
    StoredSecret s = secret(version("v1", NOW, labels.toArray(String[]::new)), version("v2", NOW));
    assertThatThrownBy(() -> Versions.moveLabel(s, "one-more", "v2", null, true))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> {
              assertThat(e.error()).isEqualTo(AwsError.LIMIT_EXCEEDED_EXCEPTION);
              assertThat(e.getMessage()).contains("at most 20 staging labels");
            });
  }

  @Test
  void applyStagesPlacesListedLabelsAndRemovesUnlistedCustomOnesButNeverSystemLabels() {
    StoredSecret s =
        secret(
            version("v1", NOW, "AWSPREVIOUS", "old-custom"),
            version("v2", NOW, "AWSCURRENT"),
            version("v3", NOW, "AWSPENDING"));
    StoredSecret applied = Versions.applyStages(s, Map.of("AWSCURRENT", "v1", "green", "v2"));
    assertThat(stages(applied))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "v1", List.of("AWSCURRENT"),
                "v2", List.of("AWSPREVIOUS", "green"),
                "v3", List.of("AWSPENDING")));
    assertThat(Versions.applyStages(applied, Map.of("AWSCURRENT", "v1", "green", "v2")))
        .isSameAs(applied);
  }

  @Test
  void versionsOfTheLast24HoursAreCappedAtOneHundredWithLimitExceeded() {
    List<StoredVersion> versions = new ArrayList<>();
    for (int i = 0; i < 99; i++) {
      versions.add(
          version(
              "v" + i,
              NOW.minus(Duration.ofMinutes(i)),
              i == 0 ? new String[] {"AWSCURRENT"} : new String[0]));
    }
    versions.add(version("old", NOW.minus(Duration.ofDays(2))));
    StoredSecret s = secret(versions.toArray(StoredVersion[]::new));
    Versions.checkVersionQuota(s, NOW); // 99 young versions: one more is allowed

    List<StoredVersion> full = new ArrayList<>(versions);
    full.add(version("v99", NOW.minusSeconds(1)));
    StoredSecret atQuota = secret(full.toArray(StoredVersion[]::new));
    assertThatThrownBy(() -> Versions.checkVersionQuota(atQuota, NOW))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> {
              assertThat(e.error()).isEqualTo(AwsError.LIMIT_EXCEEDED_EXCEPTION);
              assertThat(e.getMessage())
                  .contains("more than 100 versions of secret app/db in 24 hours");
            });
    Versions.checkVersionQuota(atQuota, NOW.plus(Duration.ofDays(1)));
  }
}
