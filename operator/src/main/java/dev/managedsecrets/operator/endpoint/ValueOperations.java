package dev.managedsecrets.operator.endpoint;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StagingLabels;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueInput;
import dev.managedsecrets.operator.endpoint.Authorizer.Need;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operations on values and their labels: GetSecretValue, BatchGetSecretValue, PutSecretValue
 * and UpdateSecretVersionStage. Reading a value needs {@code get} on {@code managedsecrets/value},
 * writing one {@code update}; a value that a spec owns is never written here.
 */
final class ValueOperations {

  private final Services s;
  private final ListOperations lists;

  ValueOperations(Services services, ListOperations lists) {
    this.s = services;
    this.lists = lists;
  }

  Map<String, Operation> operations() {
    Map<String, Operation> ops = new LinkedHashMap<>();
    ops.put("GetSecretValue", this::get);
    ops.put("BatchGetSecretValue", this::batchGet);
    ops.put("PutSecretValue", this::put);
    ops.put("UpdateSecretVersionStage", this::updateStage);
    return ops;
  }

  ObjectNode get(Caller caller, Input in) {
    String secretId = Members.secretId(in);
    String versionId = in.optional("VersionId", 32, 64);
    String stage = in.optional("VersionStage", 1, 256);
    Lookup.Target t =
        s.valueLookup()
            .authorized(caller.principal(), "GetSecretValue", secretId, Need.value("get"));
    return value(t, versionId, stage);
  }

  /** The value of one version of the secret, as GetSecretValue and BatchGetSecretValue answer. */
  private ObjectNode value(Lookup.Target t, String versionId, String stage) {
    if (t.scheduledForDeletion()) {
      throw AwsException.invalidRequest(Services.MARKED_FOR_DELETION);
    }
    StoredVersion version = version(t, versionId, stage);
    SecretValue value = s.secrets().read(t.record(), version);
    try {
      s.lastAccessed().read(t.object());
      ObjectNode out = Output.secret(t.arn(), t.name());
      out.put("VersionId", version.versionId());
      if (value.binary()) {
        out.put("SecretBinary", Base64.getEncoder().encodeToString(value.bytes()));
      } else {
        out.put("SecretString", value.asText());
      }
      out.set("VersionStages", Output.strings(version.stages()));
      Output.time(out, "CreatedDate", version.createdDate());
      return out;
    } finally {
      value.clear();
    }
  }

  private static StoredVersion version(Lookup.Target t, String versionId, String stage) {
    if (versionId != null) {
      StoredVersion v =
          t.record()
              .version(versionId)
              .orElseThrow(
                  () ->
                      new AwsException(
                          "ResourceNotFoundException",
                          400,
                          "Secrets Manager can't find the specified secret value for VersionId: "
                              + versionId));
      if (stage != null && !v.hasStage(stage)) {
        throw AwsException.invalidRequest(
            "You provided a VersionStage that is not associated to the provided VersionId.");
      }
      return v;
    }
    String label = stage == null ? StagingLabels.AWSCURRENT : stage;
    return t.record()
        .versionWithStage(label)
        .orElseThrow(
            () ->
                new AwsException(
                    "ResourceNotFoundException",
                    400,
                    "Secrets Manager can't find the specified secret value for staging label: "
                        + label));
  }

  ObjectNode batchGet(Caller caller, Input in) {
    List<String> ids = in.strings("SecretIdList", 20, 1, 2048);
    boolean filtered = in.has("Filters");
    Integer maxResults = in.integer("MaxResults", 1, 20);
    String nextToken = in.optional("NextToken", 1, 4096);
    if ((ids == null) == !filtered) {
      throw AwsException.invalidParameter(
          "You must include Filters or SecretIdList, but not both.");
    }
    if (ids != null && (maxResults != null || nextToken != null)) {
      throw AwsException.invalidParameter(
          "MaxResults and NextToken can be used only with Filters.");
    }
    ObjectNode out = Output.object();
    ArrayNode values = out.putArray("SecretValues");
    ArrayNode errors = out.putArray("Errors");
    List<String> wanted = ids;
    if (filtered) {
      ListOperations.Page page =
          lists.page(caller, "BatchGetSecretValue", in, maxResults == null ? 20 : maxResults);
      wanted = page.names();
      if (page.nextToken() != null) {
        out.put("NextToken", page.nextToken());
      }
    }
    for (String id : wanted) {
      try {
        Lookup.Target t =
            s.valueLookup()
                .authorized(caller.principal(), "BatchGetSecretValue", id, Need.value("get"));
        values.add(value(t, null, null));
      } catch (AwsException e) {
        errors
            .addObject()
            .put("SecretId", id)
            .put("ErrorCode", e.type())
            .put("Message", e.getMessage());
      } catch (SecretsManagerException e) {
        AwsException a = AwsException.of(e);
        errors
            .addObject()
            .put("SecretId", id)
            .put("ErrorCode", a.type())
            .put("Message", a.getMessage());
      }
    }
    return out;
  }

  ObjectNode put(Caller caller, Input in) {
    String secretId = Members.secretId(in);
    String token = Members.token(in);
    ValueInput.Whole value = Members.value(in);
    try {
      List<String> stages = in.strings("VersionStages", 20, 1, 256);
      if (value == null) {
        throw AwsException.invalidRequest("You must provide either SecretString or SecretBinary.");
      }
      Lookup.Target t =
          s.lookup()
              .authorized(caller.principal(), "PutSecretValue", secretId, Need.value("update"));
      var ms = Services.requireStoreOwned(t);
      String keyArn = s.keyArn(ms.getSpec().kmsKeyId, t.namespace());
      SecretsManagerService.Put put = s.putStoreValue(t.record(), value, keyArn, token, stages);
      s.written().written(t.namespace(), t.objectName());
      ObjectNode out = Output.secret(t.arn(), t.name());
      out.put("VersionId", put.version().versionId());
      out.set("VersionStages", Output.strings(put.version().stages()));
      return out;
    } finally {
      if (value != null) {
        value.value().clear();
      }
    }
  }

  ObjectNode updateStage(Caller caller, Input in) {
    String secretId = Members.secretId(in);
    String stage = in.required("VersionStage", 1, 256);
    String moveTo = in.optional("MoveToVersionId", 32, 64);
    String removeFrom = in.optional("RemoveFromVersionId", 32, 64);
    Lookup.Target t =
        s.lookup()
            .authorized(
                caller.principal(), "UpdateSecretVersionStage", secretId, Need.value("update"));
    Services.requireStoreOwned(t);
    s.secrets().updateStage(t.record(), stage, moveTo, removeFrom);
    s.written().written(t.namespace(), t.objectName());
    ObjectNode out = Output.secret(t.arn(), t.name());
    return out;
  }
}
