package dev.managedsecrets.cli.aws;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.cli.output.Json;
import dev.managedsecrets.core.names.Names;
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
    if (spec.tags != null && !spec.tags.isEmpty()) {
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
