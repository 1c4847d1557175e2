package dev.managedsecrets.operator.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class RotationEventTest {

  @Test
  void theEventIsTheRotationFunctionsJsonWithSecretIdTokenAndStepOnly() throws Exception {
    String arn = "arn:k8s:secretsmanager:local:123456789012:secret:orders/db-AbCdEf";
    JsonNode event =
        new ObjectMapper()
            .readTree(new RotationEvent(arn, "tok\"en", RotationRunner.Step.setSecret).json());

    assertThat(event.get("SecretId").asText()).isEqualTo(arn);
    assertThat(event.get("ClientRequestToken").asText()).isEqualTo("tok\"en");
    assertThat(event.get("Step").asText()).isEqualTo("setSecret");
    assertThat(event.size()).isEqualTo(3);
  }
}
