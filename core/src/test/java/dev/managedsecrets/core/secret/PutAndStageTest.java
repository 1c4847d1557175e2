package dev.managedsecrets.core.secret;

import static dev.managedsecrets.core.secret.StagingLabelMovesTest.NOW;
import static dev.managedsecrets.core.secret.StagingLabelMovesTest.secret;
import static dev.managedsecrets.core.secret.StagingLabelMovesTest.stages;
import static dev.managedsecrets.core.secret.StagingLabelMovesTest.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** PutSecretValue's VersionStages and UpdateSecretVersionStage, as AWS applies them. */
class PutAndStageTest {

  @Test
  void aVersionPutWithStagesTakesEachLabelFromTheVersionThatHadIt() {
    StoredSecret s =
        secret(version("v1", NOW, "AWSPREVIOUS"), version("v2", NOW, "AWSCURRENT", "blue"));

    StoredSecret added =
        Versions.add(s, version("v3", NOW), List.of("AWSPENDING", "blue"), NOW).secret();

    assertThat(stages(added))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "v1", List.of("AWSPREVIOUS"),
                "v2", List.of("AWSCURRENT"),
                "v3", List.of("AWSPENDING", "blue")));
  }

  @Test
  void aVersionPutWithAwsCurrentMakesTheOldCurrentAwsPrevious() {
    StoredSecret s = secret(version("v1", NOW, "AWSPREVIOUS"), version("v2", NOW, "AWSCURRENT"));

    StoredSecret added = Versions.add(s, version("v3", NOW), List.of("AWSCURRENT"), NOW).secret();

    assertThat(stages(added))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("v1", List.of(), "v2", List.of("AWSPREVIOUS"), "v3", List.of("AWSCURRENT")));
  }

  @Test
  void theFirstVersionGetsAwsCurrentWhateverStagesItIsPutWith() {
    StoredSecret added =
        Versions.add(secret(), version("v1", NOW), List.of("AWSPENDING"), NOW).secret();

    assertThat(stages(added)).containsExactly(Map.entry("v1", List.of("AWSCURRENT", "AWSPENDING")));
  }

  @Test
  void aLabelIsRemovedFromTheVersionNamedButAwsCurrentOnlyMoves() {
    StoredSecret s = secret(version("v1", NOW, "blue"), version("v2", NOW, "AWSCURRENT"));

    StoredSecret removed = Versions.updateStage(s, "blue", null, "v1");

    assertThat(stages(removed))
        .containsExactlyInAnyOrderEntriesOf(Map.of("v1", List.of(), "v2", List.of("AWSCURRENT")));
    assertThatThrownBy(() -> Versions.updateStage(s, "AWSCURRENT", null, "v2"))
        .hasMessageStartingWith("You can't remove the staging label AWSCURRENT");
    assertThatThrownBy(() -> Versions.updateStage(s, "blue", null, "v2"))
        .hasMessage("The staging label blue is not attached to version v2.");
    assertThatThrownBy(() -> Versions.updateStage(s, "blue", null, null))
        .hasMessage("You must specify MoveToVersionId, RemoveFromVersionId or both.");
    assertThatThrownBy(() -> Versions.updateStage(s, "blue", "v9", null))
        .hasMessage("Secrets Manager can't find the specified secret value for VersionId: v9");
  }
}
