package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.cli.aws.ParamFiles;
import dev.managedsecrets.cli.aws.Shorthand;
import dev.managedsecrets.cli.output.Json;
import java.util.List;
import java.util.UUID;

/**
 * An operation's request for the endpoint, in AWS's member names, from the options given: an option
 * left out is left out of the request.
 */
final class EndpointRequest {

  private final ObjectNode json = Json.object();

  EndpointRequest put(String member, String value) {
    if (value != null) {
      json.put(member, value);
    }
    return this;
  }

  EndpointRequest put(String member, Integer value) {
    if (value != null) {
      json.put(member, value);
    }
    return this;
  }

  EndpointRequest put(String member, Boolean value) {
    if (value != null) {
      json.put(member, value);
    }
    return this;
  }

  /** A flag that AWS's CLI sends only when given. */
  EndpointRequest flag(String member, boolean given) {
    if (given) {
      json.put(member, true);
    }
    return this;
  }

  EndpointRequest strings(String member, String option, List<String> values) {
    if (values != null) {
      ArrayNode array = json.putArray(member);
      Shorthand.strings(option, values).forEach(array::add);
    }
    return this;
  }

  EndpointRequest tags(String option, List<String> values) {
    if (values != null) {
      ArrayNode array = json.putArray("Tags");
      for (Tag t : Shorthand.tags(option, values)) {
        array.addObject().put("Key", t.key).put("Value", t.value);
      }
    }
    return this;
  }

  /** SecretString and SecretBinary, read from their files as the AWS CLI reads them. */
  EndpointRequest value(ValueOptions value) {
    if (value.secretString != null) {
      json.put("SecretString", ParamFiles.text("--secret-string", value.secretString));
    }
    if (value.secretBinary != null) {
      json.put("SecretBinary", ParamFiles.base64("--secret-binary", value.secretBinary));
    }
    return this;
  }

  /**
   * The idempotency token: the one given, else a new one for this call, as AWS's CLI and SDKs make
   * one per call (so each call makes its own version).
   */
  EndpointRequest token(String given) {
    json.put("ClientRequestToken", given != null ? given : UUID.randomUUID().toString());
    return this;
  }

  ObjectNode json() {
    return json;
  }
}
