package dev.managedsecrets.operator.endpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One record per call, allowed or refused, shaped like a CloudTrail event (eventTime, eventName,
 * userIdentity, sourceIPAddress, requestParameters, errorCode, ...), as one line of JSON on its own
 * logger, {@value #LOGGER}. Request parameters are those of a list of members that never hold a
 * value (SecretString, SecretBinary and anything unknown are left out); answers are never recorded.
 */
final class AuditLog {

  static final String LOGGER = "dev.managedsecrets.audit";

  /** The members a record shows: names, ids, labels, metadata and options, never a value. */
  static final Set<String> RECORDED =
      Set.of(
          "SecretId",
          "Name",
          "Description",
          "KmsKeyId",
          "ClientRequestToken",
          "VersionId",
          "VersionStage",
          "VersionStages",
          "MoveToVersionId",
          "RemoveFromVersionId",
          "Tags",
          "TagKeys",
          "SecretIdList",
          "Filters",
          "MaxResults",
          "NextToken",
          "SortOrder",
          "SortBy",
          "IncludePlannedDeletion",
          "IncludeDeprecated",
          "RecoveryWindowInDays",
          "ForceDeleteWithoutRecovery",
          "PasswordLength",
          "ExcludeCharacters",
          "ExcludeNumbers",
          "ExcludePunctuation",
          "ExcludeUppercase",
          "ExcludeLowercase",
          "IncludeSpace",
          "RequireEachIncludedType",
          "AddReplicaRegions",
          "ForceOverwriteReplicaSecret",
          "RemoveReplicaRegions",
          "RotationLambdaARN",
          "RotationRules",
          "RotateImmediately");

  /** Longest text of one recorded member; longer ones are cut. */
  static final int MAX_TEXT = 2048;

  private static final Logger AUDIT = LoggerFactory.getLogger(LOGGER);
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

  private final String region;
  private final String account;

  AuditLog(String region, String account) {
    this.region = region;
    this.account = account;
  }

  /** What one call was, for its record. */
  record Event(
      Instant time,
      String requestId,
      String operation,
      Caller caller,
      String sourceIp,
      String userAgent,
      Input input,
      AwsException error) {}

  void record(Event e) {
    if (!AUDIT.isInfoEnabled()) {
      return;
    }
    try {
      AUDIT.info(Output.JSON.writeValueAsString(json(e)));
    } catch (JsonProcessingException | RuntimeException failed) {
      LOG.warn("Could not write the audit record of request {}", e.requestId());
    }
  }

  ObjectNode json(Event e) {
    ObjectNode out = Output.object();
    out.put("eventVersion", "1.08");
    out.put("eventTime", e.time().toString());
    out.put("eventSource", "secretsmanager.managedsecrets.dev");
    out.put("eventName", e.operation() == null ? "Unknown" : e.operation());
    out.put("awsRegion", region);
    out.put("sourceIPAddress", e.sourceIp());
    Output.text(out, "userAgent", cut(e.userAgent()));
    ObjectNode identity = out.putObject("userIdentity");
    if (e.caller() == null) {
      identity.put("type", "Unknown");
    } else {
      Principal p = e.caller().principal();
      identity.put("type", "Kubernetes");
      identity.put("principalId", p.username());
      identity.put("userName", p.username());
      Output.text(identity, "uid", p.uid());
      identity.set("groups", Output.strings(p.groups()));
      identity.put("namespace", p.namespace());
      identity.put("accessKeyId", e.caller().accessKeyId());
    }
    if (e.input() != null) {
      ObjectNode params = out.putObject("requestParameters");
      e.input()
          .body()
          .properties()
          .forEach(
              m -> {
                if (RECORDED.contains(m.getKey())) {
                  params.set(m.getKey(), bounded(m.getValue()));
                }
              });
    } else {
      out.putNull("requestParameters");
    }
    out.putNull("responseElements");
    if (e.error() != null) {
      out.put("errorCode", e.error().type());
      out.put("errorMessage", cut(e.error().getMessage()));
    }
    out.put("requestID", e.requestId());
    out.put("eventID", RequestIds.next());
    out.put("readOnly", e.operation() != null && readOnly(e.operation()));
    out.put("eventType", "AwsApiCall");
    out.put("recipientAccountId", account);
    return out;
  }

  private static boolean readOnly(String operation) {
    return operation.startsWith("Get")
        || operation.startsWith("List")
        || operation.startsWith("Describe")
        || operation.startsWith("BatchGet")
        || operation.equals("ValidateResourcePolicy");
  }

  /** The member as given, each text in it cut to {@link #MAX_TEXT}. */
  private static JsonNode bounded(JsonNode node) {
    if (node.isTextual()) {
      return Output.JSON.getNodeFactory().textNode(cut(node.textValue()));
    }
    if (node.isContainerNode()) {
      JsonNode copy = node.deepCopy();
      if (copy.isObject()) {
        ((ObjectNode) copy)
            .properties()
            .forEach(p -> ((ObjectNode) copy).set(p.getKey(), bounded(p.getValue())));
      } else {
        var array = (com.fasterxml.jackson.databind.node.ArrayNode) copy;
        for (int i = 0; i < array.size(); i++) {
          array.set(i, bounded(array.get(i)));
        }
      }
      return copy;
    }
    return node;
  }

  private static String cut(String text) {
    return text == null || text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "...";
  }
}
