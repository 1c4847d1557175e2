package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PatchesAndManagedFieldsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ResourceType CONFIG_MAP = ResourceType.BUILT_IN.get(2);
  private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

  private static ObjectNode json(String s) throws Exception {
    return (ObjectNode) JSON.readTree(s.replace('\'', '"'));
  }

  @Test
  void mergePatchRemovesNullsAndReplacesLists() throws Exception {
    JsonNode out =
        Patches.apply(
            Patches.MERGE_PATCH,
            json("{'a':{'b':1,'c':2},'l':[1,2]}"),
            json("{'a':{'b':null,'d':3},'l':[3]}"));
    assertThat(out).isEqualTo(json("{'a':{'c':2,'d':3},'l':[3]}"));
  }

  @Test
  void strategicMergePatchMergesListsByKeyAndDropsDirectives() throws Exception {
    JsonNode out =
        Patches.apply(
            Patches.STRATEGIC_MERGE_PATCH,
            json(
                "{'metadata':{'finalizers':['a'],'ownerReferences':[{'uid':'1','name':'x'}]},'data':{'k':'v'}}"),
            json(
                "{'$setElementOrder/ownerReferences':[{'uid':'1'}],'metadata':{'finalizers':['b'],"
                    + "'ownerReferences':[{'uid':'1','name':'y'},{'uid':'2','name':'z'}]},'data':{'k':null,'n':'m'}}"));
    assertThat(out)
        .isEqualTo(
            json(
                "{'metadata':{'finalizers':['a','b'],'ownerReferences':[{'uid':'1','name':'y'},{'uid':'2','name':'z'}]},'data':{'n':'m'}}"));
  }

  @Test
  void applyRemovesWhatTheSameManagerNoLongerSendsButKeepsOthersFields() throws Exception {
    ObjectNode first =
        ManagedFields.apply(
            null,
            json(
                "{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c'},'data':{'a':'1','b':'2'}}"),
            "alice",
            false,
            null,
            NOW,
            CONFIG_MAP);
    ObjectNode edited = first.deepCopy();
    edited.withObjectProperty("data").put("c", "3");
    ManagedFields.recordUpdate(first, edited, "bob", null, NOW.plus(Duration.ofMinutes(1)));

    ObjectNode second =
        ManagedFields.apply(
            edited,
            json("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c'},'data':{'a':'1'}}"),
            "alice",
            false,
            null,
            NOW,
            CONFIG_MAP);
    assertThat(second.path("data")).isEqualTo(json("{'a':'1','c':'3'}"));
    assertThat(second.at("/metadata/managedFields").findValuesAsText("manager"))
        .containsExactlyInAnyOrder("alice", "bob");
  }

  @Test
  void applyRefusesToChangeAnotherManagersFieldUnlessForced() throws Exception {
    ObjectNode current =
        ManagedFields.apply(
            null,
            json("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c'},'data':{'a':'1'}}"),
            "alice",
            false,
            null,
            NOW,
            CONFIG_MAP);
    ObjectNode bobs =
        json("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c'},'data':{'a':'2'}}");
    ApiException conflict =
        catchThrowableOfType(
            ApiException.class,
            () -> ManagedFields.apply(current, bobs, "bob", false, null, NOW, CONFIG_MAP));
    assertThat(conflict.code).isEqualTo(409);
    assertThat(conflict.getMessage()).contains("conflict with \"alice\"", ".data.a");

    ObjectNode forced = ManagedFields.apply(current, bobs, "bob", true, null, NOW, CONFIG_MAP);
    assertThat(forced.at("/data/a").asText()).isEqualTo("2");
    assertThat(forced.at("/metadata/managedFields").findValuesAsText("manager"))
        .containsExactly("bob");
  }

  @Test
  void anApplyThatChangesNothingKeepsTheObjectAndItsManagedFieldsAsTheyAre() throws Exception {
    ObjectNode manifest =
        json("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c'},'data':{'a':'1'}}");
    ObjectNode first =
        ManagedFields.apply(null, manifest.deepCopy(), "alice", false, null, NOW, CONFIG_MAP);
    first.withObjectProperty("metadata").put("resourceVersion", "7");

    ObjectNode again =
        ManagedFields.apply(
            first, manifest.deepCopy(), "alice", false, null, NOW.plusSeconds(60), CONFIG_MAP);
    assertThat(again).as("nothing to write").isEqualTo(first);

    ObjectNode changed = manifest.deepCopy();
    changed.withObjectProperty("data").put("a", "2");
    ObjectNode updated =
        ManagedFields.apply(first, changed, "alice", false, null, NOW.plusSeconds(60), CONFIG_MAP);
    assertThat(updated.at("/data/a").asText()).isEqualTo("2");
    assertThat(updated.at("/metadata/managedFields/0/time").asText())
        .isEqualTo("2025-01-01T00:01:00Z");
  }

  @Test
  void agesAreWrittenAsTheApiServerWritesThem() {
    assertThat(Tables.humanDuration(Duration.ofSeconds(45))).isEqualTo("45s");
    assertThat(Tables.humanDuration(Duration.ofSeconds(200))).isEqualTo("3m20s");
    assertThat(Tables.humanDuration(Duration.ofMinutes(15))).isEqualTo("15m");
    assertThat(Tables.humanDuration(Duration.ofHours(5))).isEqualTo("5h");
    assertThat(Tables.humanDuration(Duration.ofDays(3))).isEqualTo("3d");
  }
}
