package dev.managedsecrets.core.secret;

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
 * @param envelopeRevision how often the version's envelope was replaced by one under another KMS
 *     key (0: the envelope it was created with); a store may keep each in its own immutable object
 * @param envelopeSize bytes of its envelope as the store holds it (0: not recorded, for versions
 *     stored before sizes were); what a namespace's quota counts without reading envelopes
 */
public record StoredVersion(
    String versionId,
    Instant createdDate,
    List<String> stages,
    String kmsKeyArn,
    String valueHash,
    String inputHash,
    Map<String, String> generated,
    int envelopeRevision,
    int envelopeSize) {

  public StoredVersion {
    stages = List.copyOf(stages);
    generated = generated == null ? Map.of() : Map.copyOf(generated);
  }

  /** A version with the envelope it was created with. */
  public StoredVersion(
      String versionId,
      Instant createdDate,
      List<String> stages,
      String kmsKeyArn,
      String valueHash,
      String inputHash,
      Map<String, String> generated) {
    this(versionId, createdDate, stages, kmsKeyArn, valueHash, inputHash, generated, 0, 0);
  }

  public boolean hasStage(String stage) {
    return stages.contains(stage);
  }

  public StoredVersion withStages(List<String> newStages) {
    return new StoredVersion(
        versionId,
        createdDate,
        newStages,
        kmsKeyArn,
        valueHash,
        inputHash,
        generated,
        envelopeRevision,
        envelopeSize);
  }

  /** The same version, value and id, re-encrypted under another KMS key. */
  public StoredVersion withKmsKeyArn(String newKmsKeyArn) {
    return new StoredVersion(
        versionId,
        createdDate,
        stages,
        newKmsKeyArn,
        valueHash,
        inputHash,
        generated,
        envelopeRevision,
        envelopeSize);
  }

  public StoredVersion withEnvelopeRevision(int revision) {
    return new StoredVersion(
        versionId,
        createdDate,
        stages,
        kmsKeyArn,
        valueHash,
        inputHash,
        generated,
        revision,
        envelopeSize);
  }

  /** The same version, made from inputs of another hash that give the same value. */
  public StoredVersion withInputHash(String newInputHash) {
    return new StoredVersion(
        versionId,
        createdDate,
        stages,
        kmsKeyArn,
        valueHash,
        newInputHash,
        generated,
        envelopeRevision,
        envelopeSize);
  }

  /** The same version, its envelope {@code size} bytes. */
  public StoredVersion withEnvelopeSize(int size) {
    return new StoredVersion(
        versionId,
        createdDate,
        stages,
        kmsKeyArn,
        valueHash,
        inputHash,
        generated,
        envelopeRevision,
        size);
  }
}
