package dev.managedsecrets.core.rotation;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.api.v1alpha1.DatabaseSpec;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.RotationSpec;
import dev.managedsecrets.api.v1alpha1.WebhookService;
import dev.managedsecrets.api.v1alpha1.WebhookSpec;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RotationRulesTest {

  private static ManagedSecretSpec spec(String strategy) {
    ManagedSecretSpec s = new ManagedSecretSpec();
    s.rotation = new RotationSpec();
    s.rotation.automaticallyAfterDays = 30;
    s.rotation.strategy = strategy;
    s.data = Map.of("username", "orders");
    s.database = new DatabaseSpec();
    s.database.engine = "postgres";
    s.database.host = "db.internal";
    return s;
  }

  private static void refused(ManagedSecretSpec s, String text) {
    assertThatThrownBy(() -> RotationRules.of(s).requireRotatable(s))
        .isInstanceOf(SecretsManagerException.class)
        .hasMessageContaining(text)
        .satisfies(
            e ->
                org.assertj.core.api.Assertions.assertThat(
                        ((SecretsManagerException) e).error().exceptionName())
                    .isEqualTo("InvalidParameterException"));
  }

  @Test
  void postgresStrategiesRotateAGeneratedPassword() {
    for (String strategy : new String[] {"postgres-single-user", "postgres-alternating-users"}) {
      ManagedSecretSpec s = spec(strategy);
      s.generate = Map.of("password", new GenerateSpec());
      assertThatCode(() -> RotationRules.of(s).requireRotatable(s)).doesNotThrowAnyException();
    }
  }

  @Test
  void postgresStrategiesRotateAValueTheStoreOwns() {
    ManagedSecretSpec s = new ManagedSecretSpec();
    s.valueSource = "Store";
    s.rotation = spec("postgres-single-user").rotation;
    assertThatCode(() -> RotationRules.of(s).requireRotatable(s)).doesNotThrowAnyException();
  }

  @Test
  void aPasswordTheSpecSetsIsRefusedForThePostgresStrategies() {
    ManagedSecretSpec inData = spec("postgres-single-user");
    inData.data = Map.of("username", "orders", "password", "from-git");
    refused(inData, "generate key");
    ManagedSecretSpec otherGenerated = spec("postgres-alternating-users");
    otherGenerated.generate = Map.of("apiKey", new GenerateSpec());
    refused(otherGenerated, "spec.generate.password");
    ManagedSecretSpec whole = new ManagedSecretSpec();
    whole.secretString = "{}";
    whole.rotation = spec("postgres-single-user").rotation;
    refused(whole, "generate key");
  }

  @Test
  void generateStillNeedsGenerateKeysAndWebhookNeedsItsSettingsAndAValueInTheStore() {
    ManagedSecretSpec s = spec("generate");
    refused(s, "generate keys");
    ManagedSecretSpec w = spec("webhook");
    w.generate = Map.of("password", new GenerateSpec());
    refused(w, "needs spec.rotation.webhook");
    w.rotation.webhook = new WebhookSpec();
    w.rotation.webhook.service = new WebhookService();
    w.rotation.webhook.service.name = "rotator";
    w.rotation.webhook.caBundle = "-----BEGIN CERTIFICATE-----";
    refused(w, "spec.valueSource to Store");
  }
}
