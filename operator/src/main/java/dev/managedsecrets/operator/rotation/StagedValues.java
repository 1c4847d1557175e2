package dev.managedsecrets.operator.rotation;

import dev.managedsecrets.core.secret.StagingLabels;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The plaintexts a rotation's setSecret and testSecret read: AWSPENDING (the rotation's token),
 * AWSCURRENT and AWSPREVIOUS, each decrypted once on first use and cleared by {@link #clear}.
 */
public final class StagedValues {

  private final SecretsManagerService secrets;
  private final StoredSecret stored;
  private final String token;
  private final Map<String, SecretValue> read = new HashMap<>();

  StagedValues(SecretsManagerService secrets, StoredSecret stored, String token) {
    this.secrets = secrets;
    this.stored = stored;
    this.token = token;
  }

  /** The pending version's value. */
  public SecretValue pending() {
    return read(stored.version(token).orElseThrow());
  }

  /** AWSCURRENT's value. */
  public SecretValue current() {
    return read(stored.current().orElseThrow());
  }

  /** AWSPREVIOUS's value, if there is a version with that label. */
  public Optional<SecretValue> previous() {
    return stored.versionWithStage(StagingLabels.AWSPREVIOUS).map(this::read);
  }

  private SecretValue read(StoredVersion version) {
    return read.computeIfAbsent(version.versionId(), id -> secrets.read(stored, version));
  }

  /** Clears every value read, except the pending one when {@code keepPending}. */
  void clear(boolean keepPending) {
    read.forEach(
        (id, value) -> {
          if (!(keepPending && id.equals(token))) {
            value.clear();
          }
        });
    read.clear();
  }
}
