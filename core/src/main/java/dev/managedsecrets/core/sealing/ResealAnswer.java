package dev.managedsecrets.core.sealing;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The re-seal endpoint's answer: the sealed fields of the request, each sealed for {@code keyId}
 * (the operator's current sealing key) under the binding it had. Nothing in it is secret.
 *
 * @param keyId the key every value is now sealed for
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResealAnswer(
    String keyId,
    Map<String, String> sealedData,
    String sealedSecretString,
    String sealedSecretBinary) {

  public ResealAnswer {
    sealedData = sealedData == null ? null : new LinkedHashMap<>(sealedData);
  }

  public byte[] toJson() {
    try {
      return ResealRequest.JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads an answer.
   *
   * @throws IllegalArgumentException when it is not one
   */
  public static ResealAnswer parse(String json) {
    try {
      ResealAnswer a = ResealRequest.JSON.readValue(json, ResealAnswer.class);
      if (a == null || a.keyId() == null) {
        throw new IllegalArgumentException("not a re-seal answer");
      }
      return a;
    } catch (IOException e) {
      throw new IllegalArgumentException("not a re-seal answer");
    }
  }

  /** Never the sealed values nor the key names. */
  @Override
  public String toString() {
    return "ResealAnswer[" + keyId + "]";
  }
}
