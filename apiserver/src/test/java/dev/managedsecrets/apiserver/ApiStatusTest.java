package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every Status the embedded API server answers has the shape a real API server gives it: the
 * expected JSON below is written as kube-apiserver (and apimachinery's errors package) answers.
 */
class ApiStatusTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HEAD = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},";

  private static final ResourceType SECRETS = type("", "secrets");
  private static final ResourceType DEPLOYMENTS = type("apps", "deployments");
  private static final ResourceType CONFIG_MAPS = type("", "configmaps");

  private static ResourceType type(String group, String plural) {
    return ResourceType.BUILT_IN.stream()
        .filter(t -> t.group().equals(group) && t.plural().equals(plural))
        .findFirst()
        .orElseThrow();
  }

  private static void assertStatus(ApiException e, String realJson) throws Exception {
    JsonNode expected = JSON.readTree(HEAD + realJson);
    assertThat(JSON.readTree(e.toStatus())).isEqualTo(expected);
    assertThat(e.code).isEqualTo(expected.path("code").asInt());
  }

  @Test
  void aStatusIsWrittenWithTheApiServersFieldsInItsOrder() {
    assertThat(ApiException.notFound(SECRETS, "x").toStatus())
        .isEqualTo(
            HEAD
                + "\"status\":\"Failure\",\"message\":\"secrets \\\"x\\\" not found\","
                + "\"reason\":\"NotFound\",\"details\":{\"name\":\"x\",\"kind\":\"secrets\"},"
                + "\"code\":404}");
  }

  @Test
  void notFoundNamesTheObjectWithTheGroupOnlyOutsideTheCoreGroup() throws Exception {
    assertStatus(
        ApiException.notFound(SECRETS, "x"),
        "\"status\":\"Failure\",\"message\":\"secrets \\\"x\\\" not found\",\"reason\":\"NotFound\","
            + "\"details\":{\"name\":\"x\",\"kind\":\"secrets\"},\"code\":404}");
    assertStatus(
        ApiException.notFound(DEPLOYMENTS, "web"),
        "\"status\":\"Failure\",\"message\":\"deployments.apps \\\"web\\\" not found\","
            + "\"reason\":\"NotFound\",\"details\":{\"name\":\"web\",\"group\":\"apps\","
            + "\"kind\":\"deployments\"},\"code\":404}");
    assertStatus(
        ApiException.notFound(ApiPath.parse("/apis/apps/v1/namespaces/default/deployments/web")),
        "\"status\":\"Failure\",\"message\":\"deployments.apps \\\"web\\\" not found\","
            + "\"reason\":\"NotFound\",\"details\":{\"name\":\"web\",\"group\":\"apps\","
            + "\"kind\":\"deployments\"},\"code\":404}");
    assertStatus(
        ApiException.notFound("", "namespaces", "missing"),
        "\"status\":\"Failure\",\"message\":\"namespaces \\\"missing\\\" not found\","
            + "\"reason\":\"NotFound\",\"details\":{\"name\":\"missing\",\"kind\":\"namespaces\"},"
            + "\"code\":404}");
  }

  @Test
  void aPathThatNamesNothingIsTheGenericNotFoundWithEmptyDetails() throws Exception {
    assertStatus(
        ApiException.notFoundGeneric(),
        "\"status\":\"Failure\",\"message\":\"the server could not find the requested resource\","
            + "\"reason\":\"NotFound\",\"details\":{},\"code\":404}");
  }

  @Test
  void badRequestUnauthorizedAndForbiddenAreWordedAsTheApiServerDoes() throws Exception {
    assertStatus(
        ApiException.badRequest("unable to parse requirement: x"),
        "\"status\":\"Failure\",\"message\":\"unable to parse requirement: x\","
            + "\"reason\":\"BadRequest\",\"code\":400}");
    assertStatus(
        ApiException.unauthorized(),
        "\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\","
            + "\"code\":401}");
    UserInfo alice = new UserInfo("alice", "", List.of("system:authenticated"), Map.of());
    assertStatus(
        ApiException.forbidden(
            alice, ApiRequest.of("GET", "/api/v1/namespaces/team-a/secrets/x"), ""),
        "\"status\":\"Failure\",\"message\":\"secrets \\\"x\\\" is forbidden: User \\\"alice\\\""
            + " cannot get resource \\\"secrets\\\" in API group \\\"\\\" in the namespace"
            + " \\\"team-a\\\"\",\"reason\":\"Forbidden\",\"details\":{\"name\":\"x\","
            + "\"kind\":\"secrets\"},\"code\":403}");
  }

  @Test
  void alreadyExistsAndConflictNameTheResourceAndTheObject() throws Exception {
    assertStatus(
        ApiException.alreadyExists(type("", "namespaces"), "default"),
        "\"status\":\"Failure\",\"message\":\"namespaces \\\"default\\\" already exists\","
            + "\"reason\":\"AlreadyExists\",\"details\":{\"name\":\"default\","
            + "\"kind\":\"namespaces\"},\"code\":409}");
    assertStatus(
        ApiException.modified(DEPLOYMENTS, "web"),
        "\"status\":\"Failure\",\"message\":\"Operation cannot be fulfilled on deployments.apps"
            + " \\\"web\\\": the object has been modified; please apply your changes to the latest"
            + " version and try again\",\"reason\":\"Conflict\",\"details\":{\"name\":\"web\","
            + "\"group\":\"apps\",\"kind\":\"deployments\"},\"code\":409}");
    assertStatus(
        ApiException.applyConflict(
            "Apply failed with 1 conflict: conflict with \"alice\": .data.a",
            List.of(
                new ApiException.Cause(
                    "FieldManagerConflict", ".data.a", "conflict with \"alice\""))),
        "\"status\":\"Failure\",\"message\":\"Apply failed with 1 conflict: conflict with"
            + " \\\"alice\\\": .data.a\",\"reason\":\"Conflict\",\"details\":{\"causes\":[{"
            + "\"reason\":\"FieldManagerConflict\",\"message\":\"conflict with \\\"alice\\\"\","
            + "\"field\":\".data.a\"}]},\"code\":409}");
  }

  @Test
  void invalidListsItsCausesAndLeavesOutAnEmptyNameOrGroup() throws Exception {
    assertStatus(
        ApiException.nameRequired(CONFIG_MAPS),
        "\"status\":\"Failure\",\"message\":\"ConfigMap \\\"\\\" is invalid: metadata.name:"
            + " Required value: name or generateName is required\",\"reason\":\"Invalid\","
            + "\"details\":{\"kind\":\"ConfigMap\",\"causes\":[{\"reason\":\"FieldValueRequired\","
            + "\"message\":\"Required value: name or generateName is required\","
            + "\"field\":\"metadata.name\"}]},\"code\":422}");
    assertStatus(
        ApiException.fieldManagerRequired(),
        "\"status\":\"Failure\",\"message\":\"PatchOptions.meta.k8s.io \\\"\\\" is invalid:"
            + " fieldManager: Required value: is required for apply patch\",\"reason\":\"Invalid\","
            + "\"details\":{\"group\":\"meta.k8s.io\",\"kind\":\"PatchOptions\",\"causes\":[{"
            + "\"reason\":\"FieldValueRequired\",\"message\":\"Required value: is required for"
            + " apply patch\",\"field\":\"fieldManager\"}]},\"code\":422}");
    assertStatus(
        ApiException.invalid(
            SECRETS,
            "s",
            List.of(
                new ApiException.Cause(
                    "FieldValueInvalid", "type", "Invalid value: \"x\": field is immutable"),
                new ApiException.Cause(
                    "FieldValueForbidden",
                    "data",
                    "Forbidden: field is immutable when `immutable` is set"))),
        "\"status\":\"Failure\",\"message\":\"Secret \\\"s\\\" is invalid: [type: Invalid value:"
            + " \\\"x\\\": field is immutable, data: Forbidden: field is immutable when `immutable`"
            + " is set]\",\"reason\":\"Invalid\",\"details\":{\"name\":\"s\",\"kind\":\"Secret\","
            + "\"causes\":[{\"reason\":\"FieldValueInvalid\",\"message\":\"Invalid value:"
            + " \\\"x\\\": field is immutable\",\"field\":\"type\"},{\"reason\":"
            + "\"FieldValueForbidden\",\"message\":\"Forbidden: field is immutable when"
            + " `immutable` is set\",\"field\":\"data\"}]},\"code\":422}");
  }

  @Test
  void methodMediaTypeThrottleInternalAndUnavailableAnswersAreTheApiServers() throws Exception {
    assertStatus(
        ApiException.methodNotAllowed(),
        "\"status\":\"Failure\",\"message\":\"the server does not allow this method on the"
            + " requested resource\",\"reason\":\"MethodNotAllowed\",\"details\":{},\"code\":405}");
    assertStatus(
        ApiException.unsupportedMediaType(
            "the body of the request was in an unknown format - accepted media types include:"
                + " application/json"),
        "\"status\":\"Failure\",\"message\":\"the body of the request was in an unknown format -"
            + " accepted media types include: application/json\","
            + "\"reason\":\"UnsupportedMediaType\",\"code\":415}");
    assertStatus(
        ApiException.tooManyRequests(3),
        "\"status\":\"Failure\",\"message\":\"Too many requests, please try again later.\","
            + "\"reason\":\"TooManyRequests\",\"details\":{\"retryAfterSeconds\":3},\"code\":429}");
    assertStatus(
        ApiException.internalError("boom"),
        "\"status\":\"Failure\",\"message\":\"Internal error occurred: boom\","
            + "\"reason\":\"InternalError\",\"details\":{\"causes\":[{\"message\":\"boom\"}]},"
            + "\"code\":500}");
    assertStatus(
        ApiException.serviceUnavailable("no endpoints available for service \"web\""),
        "\"status\":\"Failure\",\"message\":\"no endpoints available for service \\\"web\\\"\","
            + "\"reason\":\"ServiceUnavailable\",\"code\":503}");
  }

  @Test
  void historyNoLongerKeptIsGoneWithReasonExpired() throws Exception {
    assertStatus(
        ApiException.tooOldResourceVersion("5", 10),
        "\"status\":\"Failure\",\"message\":\"too old resource version: 5 (10)\","
            + "\"reason\":\"Expired\",\"code\":410}");
    assertStatus(
        ApiException.expired("The resourceVersion for the provided list is too old."),
        "\"status\":\"Failure\",\"message\":\"The resourceVersion for the provided list is too"
            + " old.\",\"reason\":\"Expired\",\"code\":410}");
  }

  @Test
  void anInjectedFaultTakesTheReasonOfItsCode() throws Exception {
    Map<Integer, String> reasons =
        Map.ofEntries(
            Map.entry(400, "BadRequest"),
            Map.entry(401, "Unauthorized"),
            Map.entry(403, "Forbidden"),
            Map.entry(404, "NotFound"),
            Map.entry(405, "MethodNotAllowed"),
            Map.entry(409, "Conflict"),
            Map.entry(410, "Expired"),
            Map.entry(415, "UnsupportedMediaType"),
            Map.entry(422, "Invalid"),
            Map.entry(429, "TooManyRequests"),
            Map.entry(500, "InternalError"),
            Map.entry(502, "InternalError"),
            Map.entry(503, "ServiceUnavailable"),
            Map.entry(504, "Timeout"),
            Map.entry(418, "Unknown"));
    for (Map.Entry<Integer, String> e : reasons.entrySet()) {
      assertStatus(
          ApiException.ofCode(e.getKey(), "injected fault: " + e.getKey()),
          "\"status\":\"Failure\",\"message\":\"injected fault: "
              + e.getKey()
              + "\",\"reason\":\""
              + e.getValue()
              + "\",\"details\":{},\"code\":"
              + e.getKey()
              + "}");
    }
  }
}
