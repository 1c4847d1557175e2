package dev.managedsecrets.operator.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.KeptMetadata;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretTag;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.SpecGeneration;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of a stored secret's record, shared by the store implementations. Format 2 adds the
 * namespace incarnation that made the record ({@code incarnation}) and the one that holds it
 * ({@code namespaceUid}); a record without them is written in format 1, as before, so records
 * written before incarnations stay as they were until one takes them. Format 3 adds the record's
 * {@code sequence} and {@code mac} (see {@link AuthenticatedSecretStore}); a record without a MAC
 * is written in format 1 or 2, as before. Format 4 adds the ManagedSecret uid and spec generation
 * that last wrote the record ({@code specUid}, {@code specGeneration}); a record without them is
 * written in an earlier format, as before. Format 5 adds the description and tags a record keeps
 * while its secret is scheduled for deletion ({@code kept}); a record that keeps none is written in
 * an earlier format, as before.
 */
final class RecordCodec {

  static final int FORMAT = 5;

  private static final ObjectMapper JSON =
      new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

  record VersionJson(
      String versionId,
      String createdDate,
      List<String> stages,
      String kmsKeyArn,
      String valueHash,
      String inputHash,
      Map<String, String> generated,
      Integer envelopeRevision,
      Integer envelopeSize) {}

  record RecordJson(
      int format,
      String namespace,
      String name,
      String incarnation,
      String namespaceUid,
      String arn,
      String ownerName,
      String ownerUid,
      String createdDate,
      String lastChangedDate,
      String deletedDate,
      String purgeAfter,
      List<VersionJson> versions,
      String specUid,
      Long specGeneration,
      Long sequence,
      String mac,
      KeptJson kept) {}

  record TagJson(String key, String value) {}

  record KeptJson(String description, String kmsKeyId, List<TagJson> tags) {}

  private RecordCodec() {}

  static byte[] encode(StoredSecret s) {
    List<VersionJson> versions =
        s.versions().stream()
            .map(
                v ->
                    new VersionJson(
                        v.versionId(),
                        str(v.createdDate()),
                        v.stages(),
                        v.kmsKeyArn(),
                        v.valueHash(),
                        v.inputHash(),
                        v.generated(),
                        // Absent until a re-encryption: records stay as they were written before.
                        v.envelopeRevision() == 0 ? null : v.envelopeRevision(),
                        // Absent in records written before sizes were recorded.
                        v.envelopeSize() == 0 ? null : v.envelopeSize()))
            .toList();
    try {
      return JSON.writeValueAsBytes(
          new RecordJson(
              format(s),
              s.id().namespace(),
              s.id().name(),
              s.id().incarnation().isEmpty() ? null : s.id().incarnation(),
              s.namespaceUid(),
              s.arn(),
              s.ownerName(),
              s.ownerUid(),
              str(s.createdDate()),
              str(s.lastChangedDate()),
              str(s.deletedDate()),
              str(s.purgeAfter()),
              versions,
              // Absent in records written before records carried the spec that wrote them.
              s.specGeneration() == null ? null : s.specGeneration().uid(),
              s.specGeneration() == null ? null : s.specGeneration().generation(),
              // Absent in records written before records carried a MAC.
              s.sequence() == 0 ? null : s.sequence(),
              s.mac(),
              // Absent while the secret is live, and in records written before records kept it.
              kept(s.kept())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static KeptJson kept(KeptMetadata kept) {
    return kept == null
        ? null
        : new KeptJson(
            kept.description(),
            kept.kmsKeyId(),
            kept.tags().stream().map(t -> new TagJson(t.key(), t.value())).toList());
  }

  private static KeptMetadata kept(KeptJson kept) {
    return kept == null
        ? null
        : new KeptMetadata(
            kept.description(),
            kept.kmsKeyId(),
            kept.tags() == null
                ? List.of()
                : kept.tags().stream().map(t -> new SecretTag(t.key(), t.value())).toList());
  }

  private static int format(StoredSecret s) {
    if (s.kept() != null) {
      return FORMAT;
    }
    if (s.specGeneration() != null) {
      return 4;
    }
    if (s.authenticated()) {
      return 3;
    }
    return s.id().incarnation().isEmpty() && s.namespaceUid() == null ? 1 : 2;
  }

  /**
   * Reads a record written by {@link #encode}. A record that can't be read fails as AWS's
   * DecryptionFailure naming the secret ({@code id}: as the store knows it without the record) and
   * what a person can do; the message quotes nothing of the record.
   */
  static StoredSecret decode(byte[] bytes, String revision, SecretId id) {
    RecordJson r;
    try {
      r = JSON.readValue(bytes, RecordJson.class);
    } catch (IOException | RuntimeException e) {
      throw unreadable(id, "it is not readable JSON");
    }
    if (r.format() > FORMAT) {
      throw unreadable(
          id,
          "it has format "
              + r.format()
              + ", newer than this operator reads ("
              + FORMAT
              + "); upgrade the operator");
    }
    try {
      return decode(r, revision);
    } catch (RuntimeException e) {
      throw unreadable(id, "a field of it is not readable (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** A record of the store that can't be read, as the ManagedSecret that needs it reports it. */
  static SecretsManagerException unreadable(SecretId id, String why) {
    return new SecretsManagerException(
        AwsError.DECRYPTION_FAILURE,
        "The stored record of secret "
            + id.name()
            + " can't be read: "
            + why
            + ". Its versions stay unavailable, and nothing of it is changed, until an"
            + " administrator restores the record from a backup of the store (docs/STORES.md).");
  }

  private static StoredSecret decode(RecordJson r, String revision) {
    List<StoredVersion> versions =
        r.versions() == null
            ? List.of()
            : r.versions().stream()
                .map(
                    v ->
                        new StoredVersion(
                            v.versionId(),
                            instant(v.createdDate()),
                            v.stages() == null ? List.of() : v.stages(),
                            v.kmsKeyArn(),
                            v.valueHash(),
                            v.inputHash(),
                            v.generated(),
                            v.envelopeRevision() == null ? 0 : v.envelopeRevision(),
                            v.envelopeSize() == null ? 0 : v.envelopeSize()))
                .toList();
    return new StoredSecret(
        new SecretId(r.namespace(), r.name(), r.incarnation() == null ? "" : r.incarnation()),
        r.arn(),
        r.ownerName(),
        r.ownerUid(),
        r.namespaceUid(),
        instant(r.createdDate()),
        instant(r.lastChangedDate()),
        instant(r.deletedDate()),
        instant(r.purgeAfter()),
        versions,
        r.specUid() == null ? null : new SpecGeneration(r.specUid(), r.specGeneration()),
        revision,
        r.sequence() == null ? 0 : r.sequence(),
        r.mac(),
        kept(r.kept()));
  }

  private static String str(Instant i) {
    return i == null ? null : i.toString();
  }

  private static Instant instant(String s) {
    return s == null ? null : Instant.parse(s);
  }
}
