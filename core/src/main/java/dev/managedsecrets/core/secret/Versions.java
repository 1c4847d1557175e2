package dev.managedsecrets.core.secret;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The rules of versions and staging labels, as AWS Secrets Manager applies them: pure functions of
 * a stored secret, no I/O.
 */
public final class Versions {

  /** AWS keeps about 100 versions, plus every labelled version and every one younger than 24 h. */
  public static final int RETAINED_VERSIONS = 100;

  public static final Duration YOUNG = Duration.ofHours(24);

  private Versions() {}

  /** The result of adding a version: the new record and the versions that retention removed. */
  public record Added(StoredSecret secret, List<StoredVersion> removed) {}

  /**
   * Adds a version that becomes AWSCURRENT. The version that carried AWSCURRENT becomes AWSPREVIOUS
   * (taking that label off the version that had it); the first version simply becomes AWSCURRENT.
   * Other labels stay where they are.
   */
  public static Added addCurrent(StoredSecret secret, StoredVersion created, Instant now) {
    if (secret.version(created.versionId()).isPresent()) {
      throw new IllegalArgumentException("version " + created.versionId() + " already exists");
    }
    String oldCurrent = secret.current().map(StoredVersion::versionId).orElse(null);
    List<StoredVersion> next = new ArrayList<>();
    for (StoredVersion v : secret.versions()) {
      List<String> stages = new ArrayList<>(v.stages());
      stages.remove(StagingLabels.AWSPREVIOUS);
      if (v.versionId().equals(oldCurrent)) {
        stages.remove(StagingLabels.AWSCURRENT);
        stages.add(StagingLabels.AWSPREVIOUS);
      }
      next.add(v.withStages(stages));
    }
    List<String> stages = new ArrayList<>(created.stages());
    if (!stages.contains(StagingLabels.AWSCURRENT)) {
      stages.add(0, StagingLabels.AWSCURRENT);
    }
    next.add(created.withStages(stages));
    return retain(secret.withVersions(next, now), now);
  }

  /**
   * Adds a version with the staging labels {@code stages}, as PutSecretValue does with
   * VersionStages: each label moves to it from the version that carried it; AWSCURRENT moving to it
   * makes the version it leaves AWSPREVIOUS. No labels: AWSCURRENT ({@link #addCurrent}). The first
   * version of a secret always gets AWSCURRENT.
   */
  public static Added add(
      StoredSecret secret, StoredVersion created, List<String> stages, Instant now) {
    if (stages == null || stages.isEmpty()) {
      return addCurrent(secret, created, now);
    }
    if (secret.version(created.versionId()).isPresent()) {
      throw new IllegalArgumentException("version " + created.versionId() + " already exists");
    }
    List<String> wanted = new ArrayList<>();
    for (String stage : stages) {
      checkLabel(stage, "versionStages");
      if (!wanted.contains(stage)) {
        wanted.add(stage);
      }
    }
    if (secret.current().isEmpty() && !wanted.contains(StagingLabels.AWSCURRENT)) {
      wanted.add(0, StagingLabels.AWSCURRENT);
    }
    boolean current = wanted.remove(StagingLabels.AWSCURRENT);
    String oldCurrent = secret.current().map(StoredVersion::versionId).orElse(null);
    List<StoredVersion> next = new ArrayList<>();
    for (StoredVersion v : secret.versions()) {
      List<String> kept = new ArrayList<>(v.stages());
      kept.removeAll(wanted);
      if (current) {
        kept.remove(StagingLabels.AWSCURRENT);
        kept.remove(StagingLabels.AWSPREVIOUS);
        if (v.versionId().equals(oldCurrent)) {
          kept.add(StagingLabels.AWSPREVIOUS);
        }
      }
      next.add(v.withStages(kept));
    }
    if (current) {
      wanted.add(0, StagingLabels.AWSCURRENT);
    }
    next.add(created.withStages(wanted));
    StoredSecret added = secret.withVersions(next, now);
    checkLabelQuota(added);
    return retain(added, now);
  }

  /**
   * UpdateSecretVersionStage: moves {@code label} to {@code moveToVersionId} (taking it off {@code
   * removeFromVersionId}, which must name the version that carries it), or, without a version to
   * move to, removes it from {@code removeFromVersionId}. AWSCURRENT is never removed, only moved.
   */
  public static StoredSecret updateStage(
      StoredSecret secret, String label, String moveToVersionId, String removeFromVersionId) {
    checkLabel(label, "versionStage");
    if (moveToVersionId != null) {
      if (removeFromVersionId != null) {
        version(secret, removeFromVersionId);
      }
      return moveLabel(secret, label, moveToVersionId, removeFromVersionId, false);
    }
    if (removeFromVersionId == null) {
      throw SecretsManagerException.invalidParameter(
          "You must specify MoveToVersionId, RemoveFromVersionId or both.");
    }
    StoredVersion from = version(secret, removeFromVersionId);
    if (!from.hasStage(label)) {
      throw SecretsManagerException.invalidParameter(
          "The staging label "
              + label
              + " is not attached to version "
              + removeFromVersionId
              + ".");
    }
    if (StagingLabels.AWSCURRENT.equals(label)) {
      throw SecretsManagerException.invalidParameter(
          "You can't remove the staging label AWSCURRENT from a version: move it to another"
              + " version with MoveToVersionId.");
    }
    List<StoredVersion> next = new ArrayList<>();
    for (StoredVersion v : secret.versions()) {
      List<String> kept = new ArrayList<>(v.stages());
      if (v.versionId().equals(removeFromVersionId)) {
        kept.remove(label);
      }
      next.add(v.withStages(kept));
    }
    return secret.withVersions(next, secret.lastChangedDate());
  }

  private static StoredVersion version(StoredSecret secret, String versionId) {
    return secret
        .version(versionId)
        .orElseThrow(
            () ->
                new SecretsManagerException(
                    AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
                    "Secrets Manager can't find the specified secret value for VersionId: "
                        + versionId));
  }

  private static void checkLabel(String label, String member) {
    if (label == null || label.isEmpty() || label.length() > 256) {
      throw SecretsManagerException.validation(
          "1 validation error detected: Value at '"
              + member
              + "' failed to satisfy constraint: Member must have length between 1 and 256");
    }
  }

  /** AWS's quota of staging labels: per version and across a secret's versions. */
  public static final int MAX_LABELS = 20;

  /** How many versions may be created within 24 hours (all of them are kept that long). */
  public static final int MAX_YOUNG_VERSIONS = 100;

  /**
   * Refuses a new version when the versions of the last 24 hours, which retention must keep,
   * already reach the quota.
   */
  public static void checkVersionQuota(StoredSecret secret, Instant now) {
    long young =
        secret.versions().stream().filter(v -> v.createdDate().isAfter(now.minus(YOUNG))).count();
    if (young >= MAX_YOUNG_VERSIONS) {
      throw new SecretsManagerException(
          AwsError.LIMIT_EXCEEDED_EXCEPTION,
          "You can't create more than "
              + MAX_YOUNG_VERSIONS
              + " versions of secret "
              + secret.id().name()
              + " in 24 hours: versions younger than 24 hours are all kept. Change the value less"
              + " often.");
    }
  }

  /**
   * Moves a staging label to an existing version, as UpdateSecretVersionStage does. A label
   * attached to another version moves only when that version is named in {@code
   * removeFromVersionId}, unless {@code implicitRemove} (the declarative spec states the whole
   * placement). Moving AWSCURRENT makes the version it leaves AWSPREVIOUS; a version that carries
   * AWSPENDING keeps it.
   */
  public static StoredSecret moveLabel(
      StoredSecret secret,
      String label,
      String moveToVersionId,
      String removeFromVersionId,
      boolean implicitRemove) {
    if (label == null || label.isEmpty() || label.length() > 256) {
      throw SecretsManagerException.validation(
          "1 validation error detected: Value at 'versionStage' failed to satisfy constraint:"
              + " Member must have length between 1 and 256");
    }
    if (secret.version(moveToVersionId).isEmpty()) {
      throw new SecretsManagerException(
          AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
          "Secrets Manager can't find the specified secret value for VersionId: "
              + moveToVersionId);
    }
    String holder = secret.versionWithStage(label).map(StoredVersion::versionId).orElse(null);
    if (moveToVersionId.equals(holder)) {
      return secret;
    }
    if (holder != null && !implicitRemove && !holder.equals(removeFromVersionId)) {
      throw SecretsManagerException.invalidParameter(
          "The parameter RemoveFromVersionId can't be empty. Staging label "
              + label
              + " is currently attached to version "
              + holder
              + ", so you must explicitly reference that version in RemoveFromVersionId.");
    }
    boolean current = StagingLabels.AWSCURRENT.equals(label);
    List<StoredVersion> next = new ArrayList<>();
    for (StoredVersion v : secret.versions()) {
      List<String> stages = new ArrayList<>(v.stages());
      stages.remove(label);
      if (current && holder != null) {
        stages.remove(StagingLabels.AWSPREVIOUS);
        if (v.versionId().equals(holder)) {
          stages.add(StagingLabels.AWSPREVIOUS);
        }
      }
      if (v.versionId().equals(moveToVersionId)) {
        stages.add(current ? 0 : stages.size(), label);
      }
      next.add(v.withStages(stages));
    }
    StoredSecret moved = secret.withVersions(next, secret.lastChangedDate());
    checkLabelQuota(moved);
    return moved;
  }

  /**
   * Places labels as spec.versionStages states them: each listed label on its version, and no
   * custom label that is not listed. AWSCURRENT, AWSPREVIOUS and AWSPENDING are never removed here.
   */
  public static StoredSecret applyStages(StoredSecret secret, Map<String, String> stages) {
    StoredSecret out = secret;
    Map<String, String> wanted = stages == null ? Map.of() : stages;
    if (wanted.containsKey(StagingLabels.AWSCURRENT)) {
      out =
          moveLabel(
              out, StagingLabels.AWSCURRENT, wanted.get(StagingLabels.AWSCURRENT), null, true);
    }
    for (Map.Entry<String, String> e : new TreeMap<>(wanted).entrySet()) {
      if (!StagingLabels.AWSCURRENT.equals(e.getKey())) {
        out = moveLabel(out, e.getKey(), e.getValue(), null, true);
      }
    }
    List<StoredVersion> next = new ArrayList<>();
    boolean changed = false;
    for (StoredVersion v : out.versions()) {
      List<String> kept = new ArrayList<>();
      for (String stage : v.stages()) {
        if (StagingLabels.SYSTEM.contains(stage) || wanted.containsKey(stage)) {
          kept.add(stage);
        } else {
          changed = true;
        }
      }
      next.add(v.withStages(kept));
    }
    return changed ? out.withVersions(next, out.lastChangedDate()) : out;
  }

  private static void checkLabelQuota(StoredSecret secret) {
    Set<String> all = new HashSet<>();
    for (StoredVersion v : secret.versions()) {
      if (v.stages().size() > MAX_LABELS) {
        throw new SecretsManagerException(
            AwsError.LIMIT_EXCEEDED_EXCEPTION,
            "Version "
                + v.versionId()
                + " would carry more than "
                + MAX_LABELS
                + " staging labels.");
      }
      all.addAll(v.stages());
    }
    if (all.size() > MAX_LABELS) {
      throw new SecretsManagerException(
          AwsError.LIMIT_EXCEEDED_EXCEPTION,
          "A secret can have at most " + MAX_LABELS + " staging labels across its versions.");
    }
  }

  /**
   * Keeps every labelled version, every version younger than 24 hours and the newest 100; removes
   * the rest (deprecated versions past the quota).
   */
  public static Added retain(StoredSecret secret, Instant now) {
    List<StoredVersion> newestFirst = new ArrayList<>(secret.versions());
    newestFirst.sort(Comparator.comparing(StoredVersion::createdDate).reversed());
    Set<String> keep = new HashSet<>();
    for (int i = 0; i < newestFirst.size(); i++) {
      StoredVersion v = newestFirst.get(i);
      boolean young = v.createdDate().isAfter(now.minus(YOUNG));
      if (i < RETAINED_VERSIONS || young || !v.stages().isEmpty()) {
        keep.add(v.versionId());
      }
    }
    List<StoredVersion> kept = new ArrayList<>();
    List<StoredVersion> removed = new ArrayList<>();
    for (StoredVersion v : secret.versions()) {
      (keep.contains(v.versionId()) ? kept : removed).add(v);
    }
    if (removed.isEmpty()) {
      return new Added(secret, List.of());
    }
    return new Added(secret.withVersions(kept, secret.lastChangedDate()), removed);
  }
}
