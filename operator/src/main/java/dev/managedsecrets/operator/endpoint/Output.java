package dev.managedsecrets.operator.endpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ReplicationStatus;
import dev.managedsecrets.api.v1alpha1.Tag;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Answers in AWS JSON 1.1: members in AWS's names, timestamps as epoch seconds. */
final class Output {

  static final ObjectMapper JSON = new ObjectMapper();

  private Output() {}

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** An answer that names a secret: its ARN and Name. */
  static ObjectNode secret(String arn, String name) {
    ObjectNode out = object();
    out.put("ARN", arn);
    out.put("Name", name);
    return out;
  }

  /** Sets {@code member} to the instant as epoch seconds (with milliseconds); nothing for null. */
  static void time(ObjectNode out, String member, Instant instant) {
    if (instant != null) {
      out.set(
          member, DecimalNode.valueOf(BigDecimal.valueOf(instant.toEpochMilli()).movePointLeft(3)));
    }
  }

  /** Sets {@code member} unless the value is null. */
  static void text(ObjectNode out, String member, String value) {
    if (value != null) {
      out.put(member, value);
    }
  }

  static ArrayNode strings(List<String> values) {
    ArrayNode out = JSON.createArrayNode();
    values.forEach(out::add);
    return out;
  }

  static ArrayNode tags(List<Tag> tags) {
    ArrayNode out = JSON.createArrayNode();
    if (tags != null) {
      for (Tag t : tags) {
        out.addObject().put("Key", t.key).put("Value", t.value == null ? "" : t.value);
      }
    }
    return out;
  }

  static ObjectNode stages(Map<String, List<String>> versionIdsToStages) {
    ObjectNode out = object();
    versionIdsToStages.forEach((id, stages) -> out.set(id, strings(stages)));
    return out;
  }

  /** ReplicationStatus: one {Region, KmsKeyId, Status, StatusMessage} per region. */
  static ArrayNode replication(List<ReplicationStatus> statuses) {
    ArrayNode out = JSON.createArrayNode();
    for (ReplicationStatus r : statuses) {
      ObjectNode entry = out.addObject();
      entry.put("Region", r.region);
      text(entry, "KmsKeyId", r.kmsKeyId);
      text(entry, "Status", r.status);
      text(entry, "StatusMessage", r.statusMessage);
    }
    return out;
  }
}
