package dev.managedsecrets.core.secret;

import java.util.Objects;

/**
 * Identifies a stored secret: its Secrets Manager name within the namespace of the ManagedSecret
 * that owns it, and the namespace incarnation that made it. Names are scoped per namespace so that
 * one tenant can neither take nor probe another tenant's names; the incarnation (the namespace's
 * uid when the record was made, empty for records made before incarnations were recorded) keeps the
 * records of a namespace deleted and made again under the same name apart from the new one's.
 *
 * <p>Keyed hashes and messages use the namespace and name only: they are the same in every
 * incarnation.
 */
public record SecretId(String namespace, String name, String incarnation) {
  public SecretId {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(incarnation, "incarnation");
  }

  /** A name in a namespace, of no particular incarnation (or of a record made before them). */
  public SecretId(String namespace, String name) {
    this(namespace, name, "");
  }

  /** The same name, in the incarnation {@code namespaceUid}. */
  public SecretId in(String namespaceUid) {
    return new SecretId(namespace, name, namespaceUid);
  }

  /** True when both name the same secret name in the same namespace, whatever the incarnation. */
  public boolean sameName(SecretId other) {
    return namespace.equals(other.namespace) && name.equals(other.name);
  }

  @Override
  public String toString() {
    return namespace + ":" + name;
  }
}
