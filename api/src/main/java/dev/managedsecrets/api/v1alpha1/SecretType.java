package dev.managedsecrets.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;

/** The Secret types a projection may have: service-account tokens are never allowed. */
public enum SecretType {
  @JsonProperty("Opaque")
  OPAQUE("Opaque"),
  @JsonProperty("kubernetes.io/basic-auth")
  BASIC_AUTH("kubernetes.io/basic-auth"),
  @JsonProperty("kubernetes.io/dockerconfigjson")
  DOCKER_CONFIG_JSON("kubernetes.io/dockerconfigjson"),
  @JsonProperty("kubernetes.io/tls")
  TLS("kubernetes.io/tls"),
  @JsonProperty("kubernetes.io/ssh-auth")
  SSH_AUTH("kubernetes.io/ssh-auth");

  /** The schema's pattern for a projected Secret's type. */
  public static final String PATTERN =
      "^(Opaque|kubernetes\\.io/basic-auth|kubernetes\\.io/dockerconfigjson|kubernetes\\.io/tls"
          + "|kubernetes\\.io/ssh-auth)$";

  private final String value;

  SecretType(String value) {
    this.value = value;
  }

  @JsonValue
  public String value() {
    return value;
  }

  /** The allowed type with this value, or null when it is not allowed. */
  public static SecretType fromValue(String value) {
    for (SecretType t : values()) {
      if (t.value.equals(value)) {
        return t;
      }
    }
    return null;
  }
}
