package dev.managedsecrets.operator.secret;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
