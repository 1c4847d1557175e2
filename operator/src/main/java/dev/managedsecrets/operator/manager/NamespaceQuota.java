package dev.managedsecrets.operator.manager;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.operator.store.SecretStore;

/**
 * The bound on what the secrets of one namespace keep in the store together: versions and bytes of
 * envelopes. A write is checked against what the store counts from its records ({@link
 * SecretStore#usage}: one query or one list of the namespace's records, no envelope read), and only
 * when it makes the namespace keep more; a write that retention balances is never refused.
 */
public final class NamespaceQuota {

  /** No bound: for tests and tools that store outside any tenant. */
  public static final NamespaceQuota NONE = new NamespaceQuota(Long.MAX_VALUE, Long.MAX_VALUE);

  private final long maxVersions;
  private final long maxBytes;

  public NamespaceQuota(long maxVersions, long maxBytes) {
    this.maxVersions = maxVersions;
    this.maxBytes = maxBytes;
  }

  /**
   * Refuses a write to {@code id} that adds {@code versions} versions and {@code bytes} bytes (net
   * of what retention removes) when the namespace would then keep more than its bound.
   */
  void check(SecretStore store, SecretId id, long versions, long bytes) {
    if (versions <= 0 && bytes <= 0) {
      return;
    }
    String namespace = id.namespace();
    SecretStore.Usage used = store.usage(namespace);
    if (versions > 0 && used.versions() + versions > maxVersions) {
      throw refused(
          id,
          namespace + " holds " + used.versions() + " versions of " + maxVersions + " allowed",
          "versions");
    }
    if (bytes > 0 && used.bytes() + bytes > maxBytes) {
      throw refused(
          id,
          namespace
              + " holds "
              + used.bytes()
              + " bytes of "
              + maxBytes
              + " allowed, and the new version needs "
              + bytes
              + " more",
          "bytes");
    }
  }

  private static SecretsManagerException refused(SecretId id, String use, String what) {
    return new SecretsManagerException(
        AwsError.LIMIT_EXCEEDED_EXCEPTION,
        "You can't create a version of secret "
            + id.name()
            + ": namespace "
            + use
            + " (quota."
            + what
            + "PerNamespace). Delete secrets or versions of the namespace (a secret in its"
            + " recovery window counts until it is purged; forceDeleteWithoutRecovery frees it at"
            + " once), or ask the operator's administrator to raise the quota.");
  }
}
