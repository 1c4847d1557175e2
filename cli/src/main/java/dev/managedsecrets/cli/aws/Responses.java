package dev.managedsecrets.cli.aws;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import dev.managedsecrets.api.v1alpha1.ReplicationStatus;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.cli.output.Json;
import dev.managedsecrets.core.names.Names;
import dev.managedsecrets.core.replication.ReplicationRequests;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Secrets Manager's responses, built from a ManagedSecret: keys in the order of AWS's API model,
 * absent keys left out, dates as the AWS CLI v2 prints them (ISO 8601, here always in UTC).
 */
public final class Responses {

  /** The operator's default key: describing a secret on it omits KmsKeyId, as AWS does. */
  public static final String DEFAULT_KEY_ALIAS = "alias/managedsecrets";

  /** A replica's ManagedSecret's annotation naming its primary's ARN. */
  public static final String REPLICA_OF = "managedsecrets.dev/replica-of";

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

  private Responses() {}

  /** The Secrets Manager name: status.name, else spec.secretName, else namespace/metadata.name. */
  public static String name(ManagedSecret ms) {
    if (ms.getStatus() != null && ms.getStatus().name != null) {
      return ms.getStatus().name;
    }
    return Names.secretName(ms);
  }

  public static String arn(ManagedSecret ms) {
    return ms.getStatus() == null ? null : ms.getStatus().arn;
  }

  /** {ARN, Name}: the start of most responses. */
  public static ObjectNode arnAndName(ManagedSecret ms) {
    ObjectNode out = Json.object();
    put(out, "ARN", arn(ms));
    out.put("Name", name(ms));
    return out;
  }

  /** DescribeSecret. */
  public static ObjectNode describe(ManagedSecret ms) {
    return details(ms, "VersionIdsToStages");
  }

  /** One entry of ListSecrets' SecretList. */
  public static ObjectNode listEntry(ManagedSecret ms) {
    return details(ms, "SecretVersionsToStages");
  }

  private static ObjectNode details(ManagedSecret ms, String stagesKey) {
    ManagedSecretSpec spec = ms.getSpec() == null ? new ManagedSecretSpec() : ms.getSpec();
    ManagedSecretStatus status =
        ms.getStatus() == null ? new ManagedSecretStatus() : ms.getStatus();
    ObjectNode out = arnAndName(ms);
    put(out, "Description", spec.description);
    if (spec.kmsKeyId != null && !DEFAULT_KEY_ALIAS.equals(spec.kmsKeyId)) {
      put(out, "KmsKeyId", status.kmsKeyId != null ? status.kmsKeyId : spec.kmsKeyId);
    }
    if (spec.rotation != null || status.lastRotatedDate != null) {
      // As AWS: no rotation member for a secret whose rotation was never set up.
      out.put("RotationEnabled", Boolean.TRUE.equals(status.rotationEnabled));
      if (spec.rotation != null) {
        ObjectNode rules = out.putObject("RotationRules");
        if (spec.rotation.automaticallyAfterDays != null) {
          rules.put("AutomaticallyAfterDays", spec.rotation.automaticallyAfterDays);
        }
        put(rules, "Duration", spec.rotation.duration);
        put(rules, "ScheduleExpression", spec.rotation.scheduleExpression);
      }
    }
    put(out, "LastRotatedDate", date(status.lastRotatedDate));
    put(out, "LastChangedDate", date(status.lastChangedDate));
    String deleted = status.deletedDate;
    if (deleted == null && ms.getMetadata().getDeletionTimestamp() != null) {
      deleted = ms.getMetadata().getDeletionTimestamp();
    }
    put(out, "DeletedDate", date(deleted));
    put(out, "NextRotationDate", date(status.nextRotationDate));
    // Never tagged: no Tags; every tag removed: Tags [], as AWS answers.
    if (spec.tags != null) {
      out.set("Tags", tags(spec.tags));
    }
    if (status.versionIdsToStages != null && !status.versionIdsToStages.isEmpty()) {
      ObjectNode stages = out.putObject(stagesKey);
      for (Map.Entry<String, List<String>> e :
          new TreeMap<>(status.versionIdsToStages).entrySet()) {
        ArrayNode labels = stages.putArray(e.getKey());
        e.getValue().forEach(labels::add);
      }
    }
    put(out, "CreatedDate", date(status.createdDate));
    replication(out, ms, spec, status, "VersionIdsToStages".equals(stagesKey));
    return out;
  }

  /**
   * PrimaryRegion (a replica's primary's, from the annotation managedsecrets.dev/replica-of; a
   * primary's own, from its ARN) and, in DescribeSecret, each replica region's ReplicationStatus.
   */
  private static void replication(
      ObjectNode out,
      ManagedSecret ms,
      ManagedSecretSpec spec,
      ManagedSecretStatus status,
      boolean statuses) {
    put(out, "PrimaryRegion", primaryRegionShown(ms));
    if (primaryRegion(ms) == null
        && spec.replicaRegions != null
        && !spec.replicaRegions.isEmpty()) {
      if (statuses) {
        out.set(
            "ReplicationStatus",
            replicationStatus(
                ReplicationRequests.statuses(spec.replicaRegions, status.replicationStatus)));
      }
    }
  }

  /**
   * The PrimaryRegion DescribeSecret shows: a replica's primary's region; a secret's own region
   * (from its ARN) when it is replicated to others; null for a secret that is neither.
   */
  public static String primaryRegionShown(ManagedSecret ms) {
    String primary = primaryRegion(ms);
    if (primary != null) {
      return primary;
    }
    ManagedSecretSpec spec = ms.getSpec();
    boolean replicated =
        spec != null && spec.replicaRegions != null && !spec.replicaRegions.isEmpty();
    return replicated && ms.getStatus() != null ? region(ms.getStatus().arn) : null;
  }

  /** A replica's primary region, from the annotation managedsecrets.dev/replica-of; or null. */
  public static String primaryRegion(ManagedSecret ms) {
    Map<String, String> annotations = ms.getMetadata().getAnnotations();
    return region(annotations == null ? null : annotations.get(REPLICA_OF));
  }

  /** The region of an ARN, or null. */
  private static String region(String arn) {
    String[] parts = arn == null ? new String[0] : arn.split(":", 6);
    return parts.length == 6 ? parts[3] : null;
  }

  /** ReplicationStatus: one {Region, KmsKeyId, Status, StatusMessage} per region. */
  public static ArrayNode replicationStatus(List<ReplicationStatus> statuses) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (ReplicationStatus r : statuses) {
      ObjectNode o = out.addObject();
      o.put("Region", r.region);
      put(o, "KmsKeyId", r.kmsKeyId);
      put(o, "Status", r.status);
      put(o, "StatusMessage", r.statusMessage);
    }
    return out;
  }

  public static ArrayNode tags(List<Tag> tags) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (Tag t : tags) {
      ObjectNode o = out.addObject();
      o.put("Key", t.key);
      o.put("Value", t.value == null ? "" : t.value);
    }
    return out;
  }

  /** The staging labels of one version, from status.versionIdsToStages. */
  public static List<String> stagesOf(ManagedSecret ms, String versionId) {
    if (ms.getStatus() == null || ms.getStatus().versionIdsToStages == null) {
      return List.of();
    }
    return ms.getStatus().versionIdsToStages.getOrDefault(versionId, List.of());
  }

  /** An RFC 3339 instant as the AWS CLI v2 prints a timestamp (Python's isoformat, UTC). */
  public static String date(String instant) {
    if (instant == null || instant.isBlank()) {
      return null;
    }
    return date(Instant.parse(instant));
  }

  public static String date(Instant instant) {
    OffsetDateTime t = instant.atOffset(ZoneOffset.UTC);
    String micros = t.getNano() / 1000 == 0 ? "" : String.format(".%06d", t.getNano() / 1000);
    return SECONDS.format(t) + micros + "+00:00";
  }

  private static void put(ObjectNode out, String key, String value) {
    if (value != null) {
      out.put(key, value);
    }
  }
}
