package dev.managedsecrets.operator.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.managedsecrets.operator.chart.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * docs/argocd-health.lua, run as Argo CD runs a health check (a global {@code obj}, a returned
 * table with status and message), on a Lua engine on the JVM, against sample objects.
 */
class ArgoCdHealthCheckTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static Map<String, String> health(String objectYaml) throws IOException {
    String script = Files.readString(Repo.root().resolve("docs/argocd-health.lua"));
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", lua(YAML.readValue(objectYaml, Object.class)));
    LuaValue result = globals.load(script, "argocd-health.lua").call();
    assertThat(result.istable()).as("the script returns a table").isTrue();
    return Map.of(
        "status", result.get("status").tojstring(), "message", result.get("message").tojstring());
  }

  @SuppressWarnings("unchecked")
  private static LuaValue lua(Object value) {
    if (value == null) {
      return LuaValue.NIL;
    }
    if (value instanceof Map<?, ?> map) {
      LuaTable t = new LuaTable();
      ((Map<String, Object>) map).forEach((k, v) -> t.set(k, lua(v)));
      return t;
    }
    if (value instanceof List<?> list) {
      LuaTable t = new LuaTable();
      for (int i = 0; i < list.size(); i++) {
        t.set(i + 1, lua(list.get(i)));
      }
      return t;
    }
    if (value instanceof Number n) {
      return LuaValue.valueOf(n.doubleValue());
    }
    if (value instanceof Boolean b) {
      return LuaValue.valueOf(b);
    }
    return LuaValue.valueOf(value.toString());
  }

  private static final String SYNCED =
      """
      apiVersion: managedsecrets.dev/v1alpha1
      kind: ManagedSecret
      metadata: {name: orders-db, namespace: default, generation: 3}
      status:
        observedGeneration: 3
        conditions:
          - {type: Ready, status: "True", reason: Synced, message: Secret orders-db holds version v2., observedGeneration: 3}
      """;

  @Test
  void aSyncedManagedSecretIsHealthy() throws IOException {
    assertThat(health(SYNCED))
        .containsEntry("status", "Healthy")
        .containsEntry("message", "Synced: Secret orders-db holds version v2.");
  }

  @Test
  void aManagedSecretWithoutStatusOrWithAnUnobservedGenerationIsProgressing() throws IOException {
    assertThat(
            health(
                """
                kind: ManagedSecret
                metadata: {name: new, generation: 1}
                """))
        .containsEntry("status", "Progressing");
    assertThat(health(SYNCED.replace("generation: 3}", "generation: 4}")))
        .containsEntry("status", "Progressing")
        .containsEntry("message", "Waiting for the operator to observe generation 4");
  }

  @Test
  void aManagedSecretRetryingATransientErrorIsProgressing() throws IOException {
    assertThat(
            health(
                """
                kind: ManagedSecret
                metadata: {name: s, generation: 2}
                status:
                  observedGeneration: 2
                  conditions:
                    - {type: Ready, status: "False", reason: InternalServiceError, message: The store could not be reached.}
                    - {type: Reconciling, status: "True", reason: InternalServiceError, message: The store could not be reached.}
                """))
        .containsEntry("status", "Progressing")
        .containsEntry("message", "InternalServiceError: The store could not be reached.");
  }

  @Test
  void aStalledManagedSecretIsDegradedWithTheAwsExceptionName() throws IOException {
    assertThat(
            health(
                """
                kind: ManagedSecret
                metadata: {name: s, generation: 2}
                status:
                  observedGeneration: 2
                  conditions:
                    - {type: Ready, status: "False", reason: ResourceExistsException, message: Secret s already exists.}
                    - {type: Stalled, status: "True", reason: ResourceExistsException, message: Secret s already exists.}
                """))
        .containsEntry("status", "Degraded")
        .containsEntry("message", "ResourceExistsException: Secret s already exists.");
  }

  @Test
  void aManagedSecretBeingDeletedIsProgressing() throws IOException {
    assertThat(
            health(
                SYNCED.replace(
                    "generation: 3}", "generation: 3, deletionTimestamp: '2026-01-01T00:00:00Z'}")))
        .containsEntry("status", "Progressing");
  }

  @Test
  void aKmsKeyFollowsItsKeyStateAndConditions() throws IOException {
    String key =
        """
        apiVersion: managedsecrets.dev/v1alpha1
        kind: KmsKey
        metadata: {name: orders, namespace: default, generation: 1}
        status:
          observedGeneration: 1
          keyState: %s
          deletionDate: "2026-02-01T00:00:00Z"
          conditions:
            - {type: Ready, status: "%s", reason: %s, message: m}
        """;
    assertThat(health(key.formatted("Enabled", "True", "Enabled")))
        .containsEntry("status", "Healthy");
    assertThat(health(key.formatted("Disabled", "True", "Disabled")))
        .containsEntry("status", "Suspended");
    assertThat(health(key.formatted("PendingDeletion", "True", "PendingDeletion")))
        .containsEntry("status", "Degraded")
        .hasEntrySatisfying("message", m -> assertThat(m).contains("2026-02-01T00:00:00Z"));
    assertThat(health(key.formatted("Enabled", "False", "KMSInvalidStateException")))
        .containsEntry("status", "Degraded");
  }
}
