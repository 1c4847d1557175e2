package dev.managedsecrets.core.secret;

import java.util.Objects;

/**
 * Identifies a stored secret: its Secrets Manager name within the namespace of the ManagedSecret
 * that owns it. Names are scoped per namespace so that one tenant can neither take nor probe
 * another tenant's names.
 */
public record SecretId(String namespace, String name) {
  public SecretId {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  @Override
  public String toString() {
    return namespace + ":" + name;
  }
}
