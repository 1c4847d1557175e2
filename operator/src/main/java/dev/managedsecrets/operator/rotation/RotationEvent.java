package dev.managedsecrets.operator.rotation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * The event a rotation function gets for one step, as Secrets Manager invokes a rotation Lambda:
 * {@code {"SecretId": <ARN>, "ClientRequestToken": <token>, "Step": <step>}}. AWS's RotationToken
 * (which proves the caller of an assumed role or another account) has no counterpart here: the
 * function signs its calls to the endpoint with its own ServiceAccount's credentials. The event
 * carries no value.
 *
 * @param secretId the secret's ARN
 * @param token the rotation's ClientRequestToken: the VersionId of the pending version
 */
public record RotationEvent(String secretId, String token, RotationRunner.Step step) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The event as the JSON body of the POST. */
  public byte[] json() {
    ObjectNode event = JSON.createObjectNode();
    event.put("SecretId", secretId);
    event.put("ClientRequestToken", token);
    event.put("Step", step.name());
    try {
      return JSON.writeValueAsString(event).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
