package dev.managedsecrets.operator.secret;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The metadata of one immutable version; its ciphertext lives beside it in the store.
 *
 * @param versionId the VersionId (a UUID, or the client request token)
 * @param createdDate when the version was created
 * @param stages the staging labels it carries
 * @param kmsKeyArn the KMS key its data key is wrapped under
 * @param valueHash keyed hash of the plaintext (idempotency), never the plaintext
 * @param inputHash keyed hash of the spec inputs the version was made from (change detection)
 * @param generated generated keys and a hash of the parameters each was generated with
 */
public record StoredVersion(
    String versionId,
    Instant createdDate,
    List<String> stages,
    String kmsKeyArn,
    String valueHash,
    String inputHash,
    Map<String, String> generated) {

  public StoredVersion {
    stages = List.copyOf(stages);
    generated = generated == null ? Map.of() : Map.copyOf(generated);
  }

  public boolean hasStage(String stage) {
    return stages.contains(stage);
  }

  public StoredVersion withStages(List<String> newStages) {
    return new StoredVersion(
        versionId, createdDate, newStages, kmsKeyArn, valueHash, inputHash, generated);
  }
}
