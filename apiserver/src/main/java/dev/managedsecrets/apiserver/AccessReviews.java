package dev.managedsecrets.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.authorization.v1.NonResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.NonResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The APIs that answer rather than store, as the API server answers them: TokenRequest (the {@code
 * token} subresource of a ServiceAccount), TokenReview and SelfSubjectReview
 * (authentication.k8s.io), SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectAccessReview
 * and SelfSubjectRulesReview (authorization.k8s.io), from the Roles and bindings stored ({@link
 * RbacAuthorizer}); and the ServiceAccount issuer's OpenID discovery and keys. Bodies in JSON or in
 * protobuf (kubectl's).
 */
final class AccessReviews {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String AUTHN = "authentication.k8s.io/v1";
  private static final String AUTHZ = "authorization.k8s.io/v1";

  /** A resource served here, for discovery: its group version, name, kind and scope. */
  record Served(String groupVersion, String name, String kind, boolean namespaced) {
    /** The group and version of the kind when it is not the resource's (TokenRequest's). */
    String kindGroupVersion() {
      return name.equals("serviceaccounts/token") ? AUTHN : groupVersion;
    }
  }

  /** What this class serves, as discovery lists it (each with the verb create only). */
  static final List<Served> SERVED =
      List.of(
          new Served("v1", "serviceaccounts/token", "TokenRequest", true),
          new Served(AUTHN, "tokenreviews", "TokenReview", false),
          new Served(AUTHN, "selfsubjectreviews", "SelfSubjectReview", false),
          new Served(AUTHZ, "subjectaccessreviews", "SubjectAccessReview", false),
          new Served(AUTHZ, "localsubjectaccessreviews", "LocalSubjectAccessReview", true),
          new Served(AUTHZ, "selfsubjectaccessreviews", "SelfSubjectAccessReview", false),
          new Served(AUTHZ, "selfsubjectrulesreviews", "SelfSubjectRulesReview", false));

  private static final ResourceType TOKEN_REQUEST =
      new ResourceType(
          "authentication.k8s.io",
          "v1",
          "tokenrequests",
          "tokenrequest",
          "TokenRequest",
          true,
          List.of(),
          List.of(),
          null);

  private final Authentication authentication;
  private final ServiceAccountTokens tokens;
  private final ServiceAccountTokens.Store store;
  private final Supplier<RbacAuthorizer> rbac;
  private final Function<String, List<ResourceRule>> rules;

  /**
   * @param rules the resource rules a SelfSubjectRulesReview answers for a namespace, instead of
   *     the requester's (null: the requester's)
   */
  AccessReviews(
      Authentication authentication,
      ServiceAccountTokens tokens,
      ServiceAccountTokens.Store store,
      Supplier<RbacAuthorizer> rbac,
      Function<String, List<ResourceRule>> rules) {
    this.authentication = authentication;
    this.tokens = tokens;
    this.store = store;
    this.rbac = rbac;
    this.rules = rules;
  }

  /** The answer to a request for one of these APIs, made as {@code user}; null for other paths. */
  MockResponse answer(RecordedRequest request, UserInfo user) {
    String path = ApiPath.pathOf(request.getPath());
    String method = request.getMethod();
    if (path.equals("/.well-known/openid-configuration") || path.equals("/openid/v1/jwks")) {
      if (!method.equals("GET")) {
        throw notAllowed();
      }
      Map<String, Object> doc =
          path.startsWith("/openid") ? tokens.jwks() : ServiceAccountTokens.openIdConfiguration();
      return json(200, JSON.valueToTree(doc))
          .setHeader(
              "Content-Type",
              path.startsWith("/openid") ? "application/jwk-set+json" : "application/json");
    }
    ApiPath p = ApiPath.parse(request.getPath());
    Served served = p == null ? null : served(p);
    if (served == null) {
      return null;
    }
    if (!method.equals("POST")) {
      throw notAllowed();
    }
    ObjectNode body = body(request, served);
    ObjectNode answer =
        switch (served.kind()) {
          case "TokenRequest" -> tokenRequest(p, body);
          case "TokenReview" -> tokenReview(body);
          case "SelfSubjectReview" -> selfSubjectReview(user);
          case "SubjectAccessReview" -> accessReview(body, null, null);
          case "LocalSubjectAccessReview" -> accessReview(body, null, p.namespace());
          case "SelfSubjectAccessReview" -> accessReview(body, user, null);
          default -> rulesReview(body, user);
        };
    answer.put("kind", served.kind()).put("apiVersion", served.kindGroupVersion());
    return json(201, answer);
  }

  private static Served served(ApiPath p) {
    String name =
        p.subresource() == null
            ? (p.name() == null ? p.resource() : null)
            : p.resource() + "/" + p.subresource();
    if (name == null) {
      return null;
    }
    for (Served s : SERVED) {
      boolean named = s.name().contains("/");
      if (s.groupVersion().equals(p.groupVersion())
          && s.name().equals(name)
          && s.namespaced() == (p.namespace() != null)
          && named == (p.name() != null)) {
        return s;
      }
    }
    return null;
  }

  private static ObjectNode body(RecordedRequest request, Served served) {
    String contentType = request.getHeader("Content-Type");
    byte[] bytes = request.getBody() == null ? new byte[0] : request.getBody().readByteArray();
    if (contentType != null && contentType.startsWith(Protobuf.CONTENT_TYPE)) {
      return Protobuf.object(bytes, served.kind());
    }
    try {
      JsonNode node = JSON.readTree(bytes);
      if (node instanceof ObjectNode o) {
        return o;
      }
    } catch (java.io.IOException e) {
      // answered below
    }
    throw ApiException.badRequest("the request body is not a " + served.kind());
  }

  // ---- authentication.k8s.io ----

  private ObjectNode tokenRequest(ApiPath p, ObjectNode body) {
    JsonNode account = store.get("serviceaccounts", p.namespace(), p.name());
    if (account == null) {
      throw ApiException.notFound(p.withoutSubresource());
    }
    ObjectNode spec = body.withObjectProperty("spec");
    List<String> audiences = texts(spec.path("audiences"));
    if (audiences.isEmpty()) {
      audiences = ServiceAccountTokens.AUDIENCES;
    }
    long seconds =
        spec.path("expirationSeconds").isNumber()
            ? spec.path("expirationSeconds").asLong()
            : ServiceAccountTokens.DEFAULT_SECONDS;
    String field = "spec.expirationSeconds";
    if (seconds < ServiceAccountTokens.MIN_SECONDS) {
      throw invalid(
          field, "Invalid value: " + seconds + ": may not specify a duration less than 10 minutes");
    }
    if (seconds > ServiceAccountTokens.MAX_SECONDS) {
      throw invalid(
          field, "Too long: may not be more than " + ServiceAccountTokens.MAX_SECONDS + " bytes");
    }
    ServiceAccountTokens.Binding binding = binding(p, spec.path("boundObjectRef"));
    ServiceAccountTokens.Issued issued =
        tokens.issue(
            p.namespace(),
            p.name(),
            account.at("/metadata/uid").asText(""),
            audiences,
            seconds,
            binding);
    ObjectNode out = JSON.createObjectNode();
    out.putObject("metadata")
        .put("name", p.name())
        .put("namespace", p.namespace())
        .putNull("creationTimestamp");
    ArrayNode auds = spec.putArray("audiences");
    audiences.forEach(auds::add);
    spec.put("expirationSeconds", seconds);
    if (!spec.has("boundObjectRef")) {
      spec.putNull("boundObjectRef");
    }
    out.set("spec", spec);
    out.putObject("status")
        .put("token", issued.token())
        .put("expirationTimestamp", timestamp(issued.expiration()));
    return out;
  }

  /** The Pod or Secret a TokenRequest binds its token to, checked as the API server does. */
  private ServiceAccountTokens.Binding binding(ApiPath p, JsonNode ref) {
    if (!ref.isObject() || ref.isEmpty()) {
      return null;
    }
    String kind = ref.path("kind").asText("");
    String apiVersion = ref.path("apiVersion").asText("");
    String name = ref.path("name").asText("");
    if (!(kind.equals("Pod") || kind.equals("Secret")) || apiVersion.contains("/")) {
      throw ApiException.badRequest(
          "cannot bind token for serviceaccount "
              + ApiException.quote(p.name())
              + " to object of type "
              + ApiException.quote(apiVersion + ", Kind=" + kind));
    }
    String resource = kind.equals("Pod") ? "pods" : "secrets";
    JsonNode object = store.get(resource, p.namespace(), name);
    if (object == null) {
      throw ApiException.notFound(
          new ApiPath("", "v1", p.namespace(), resource, name, null, Map.of()));
    }
    if (kind.equals("Pod") && !p.name().equals(object.at("/spec/serviceAccountName").asText(""))) {
      throw ApiException.badRequest(
          "cannot bind token for serviceaccount "
              + ApiException.quote(p.name())
              + " to pod running with different serviceaccount name.");
    }
    String uid = object.at("/metadata/uid").asText("");
    String wanted = ref.path("uid").asText("");
    if (!wanted.isEmpty() && !wanted.equals(uid)) {
      throw ApiException.conflict(
          "",
          kind,
          name,
          "the UID in the bound object reference ("
              + wanted
              + ") does not match the UID in record. The object might have been deleted and then"
              + " recreated");
    }
    return new ServiceAccountTokens.Binding(kind, name, uid);
  }

  private ObjectNode tokenReview(ObjectNode body) {
    JsonNode spec = body.path("spec");
    String token = spec.path("token").asText("");
    if (token.isEmpty()) {
      throw ApiException.badRequest("token is required for TokenReview in authentication");
    }
    ServiceAccountTokens.Review review =
        authentication.review(token, texts(spec.path("audiences")));
    ObjectNode out = JSON.createObjectNode();
    out.putObject("metadata").putNull("creationTimestamp");
    out.set("spec", spec);
    ObjectNode status = out.putObject("status");
    if (review.authenticated()) {
      status.put("authenticated", true);
      status.set("user", user(review.user(), "username"));
      ArrayNode auds = status.putArray("audiences");
      review.audiences().forEach(auds::add);
    } else {
      status.putObject("user");
    }
    if (!review.error().isEmpty()) {
      status.put("error", review.error());
    }
    return out;
  }

  private static ObjectNode selfSubjectReview(UserInfo user) {
    ObjectNode out = JSON.createObjectNode();
    out.putObject("metadata").putNull("creationTimestamp");
    out.putObject("status").set("userInfo", user(user, "username"));
    return out;
  }

  /** A UserInfo as authentication/v1 writes it (empty fields left out). */
  private static ObjectNode user(UserInfo user, String nameField) {
    ObjectNode u = JSON.createObjectNode().put(nameField, user.name());
    if (!user.uid().isEmpty()) {
      u.put("uid", user.uid());
    }
    if (!user.groups().isEmpty()) {
      ArrayNode groups = u.putArray("groups");
      user.groups().forEach(groups::add);
    }
    if (!user.extra().isEmpty()) {
      ObjectNode extra = u.putObject("extra");
      user.extra()
          .forEach(
              (k, values) -> {
                ArrayNode a = extra.putArray(k);
                values.forEach(a::add);
              });
    }
    return u;
  }

  // ---- authorization.k8s.io ----

  /**
   * A SubjectAccessReview (the user of its spec), a LocalSubjectAccessReview (the same, in the
   * namespace of its path) or a SelfSubjectAccessReview (the requester, {@code self}).
   */
  private ObjectNode accessReview(ObjectNode body, UserInfo self, String localNamespace) {
    ObjectNode spec = body.withObjectProperty("spec");
    JsonNode resource = spec.path("resourceAttributes");
    JsonNode nonResource = spec.path("nonResourceAttributes");
    boolean isResource = resource.isObject();
    String name =
        self != null
            ? "SelfSubjectAccessReview"
            : localNamespace != null ? "LocalSubjectAccessReview" : "SubjectAccessReview";
    if (localNamespace != null && nonResource.isObject()) {
      throw invalidReview(
          name, "spec.nonResourceAttributes", "Forbidden: disallowed on this kind of request");
    }
    if (isResource == nonResource.isObject()) {
      throw invalidReview(
          name,
          isResource ? "spec.nonResourceAttributes" : "spec.resourceAttributes",
          isResource
              ? "Invalid value: \"\": cannot be specified in combination with resourceAttributes"
              : "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes"
                  + " must be specified");
    }
    UserInfo user = self;
    if (user == null) {
      List<String> groups = texts(spec.path("groups"));
      String username = spec.path("user").asText("");
      if (username.isEmpty() && groups.isEmpty()) {
        throw invalidReview(
            name,
            "spec.user",
            "Invalid value: \"\": at least one of user or group must be specified");
      }
      Map<String, List<String>> extra = new java.util.LinkedHashMap<>();
      spec.path("extra").fields().forEachRemaining(e -> extra.put(e.getKey(), texts(e.getValue())));
      user = new UserInfo(username, spec.path("uid").asText(""), groups, extra);
    }
    ApiRequest request;
    if (isResource) {
      String namespace = resource.path("namespace").asText("");
      if (localNamespace != null) {
        if (namespace.isEmpty()) {
          namespace = localNamespace;
          ((ObjectNode) resource).put("namespace", localNamespace);
        } else if (!namespace.equals(localNamespace)) {
          throw ApiException.badRequest(
              "spec.resourceAttributes.namespace must match namespace: " + localNamespace);
        }
      }
      request =
          new ApiRequest(
              resource.path("verb").asText(""),
              resource.path("group").asText(""),
              resource.path("resource").asText(""),
              emptyToNull(resource.path("subresource").asText("")),
              emptyToNull(namespace),
              emptyToNull(resource.path("name").asText("")),
              null);
    } else {
      request =
          new ApiRequest(
              nonResource.path("verb").asText(""),
              null,
              null,
              null,
              null,
              null,
              nonResource.path("path").asText(""));
    }
    RbacAuthorizer.Decision decision = rbac.get().authorize(user, request);
    ObjectNode out = JSON.createObjectNode();
    ObjectNode metadata =
        body.path("metadata").isObject()
            ? (ObjectNode) body.get("metadata")
            : JSON.createObjectNode();
    metadata.putNull("creationTimestamp");
    if (localNamespace != null) {
      metadata.put("namespace", localNamespace);
    }
    out.set("metadata", metadata);
    out.set("spec", spec);
    ObjectNode status = out.putObject("status").put("allowed", decision.allowed());
    if (!decision.reason().isEmpty()) {
      status.put("reason", decision.reason());
    }
    return out;
  }

  /**
   * A SelfSubjectRulesReview: what the requester may do in spec.namespace, from RBAC (for a member
   * of system:masters: everything), or the rules the options give.
   */
  private ObjectNode rulesReview(ObjectNode body, UserInfo user) {
    ObjectNode spec = body.withObjectProperty("spec");
    String namespace = spec.path("namespace").asText("");
    List<ResourceRule> resourceRules = new ArrayList<>();
    List<NonResourceRule> nonResourceRules = new ArrayList<>();
    if (rules != null) {
      resourceRules.addAll(rules.apply(namespace));
    } else if (user.isPrivileged()) {
      resourceRules.add(
          new ResourceRuleBuilder().withApiGroups("*").withResources("*").withVerbs("*").build());
      nonResourceRules.add(
          new NonResourceRuleBuilder().withNonResourceURLs("*").withVerbs("*").build());
    } else {
      for (PolicyRule r : rbac.get().rules(user, namespace.isEmpty() ? null : namespace)) {
        if (RbacAuthorizer.isNonResource(r)) {
          nonResourceRules.add(
              new NonResourceRuleBuilder()
                  .withNonResourceURLs(r.getNonResourceURLs())
                  .withVerbs(r.getVerbs())
                  .build());
        } else {
          resourceRules.add(
              new ResourceRuleBuilder()
                  .withApiGroups(r.getApiGroups())
                  .withResources(r.getResources())
                  .withResourceNames(r.getResourceNames())
                  .withVerbs(r.getVerbs())
                  .build());
        }
      }
    }
    ObjectNode out = JSON.createObjectNode();
    out.putObject("metadata").putNull("creationTimestamp");
    out.set("spec", spec);
    ObjectNode status = out.putObject("status");
    status.set("resourceRules", Serialization.jsonMapper().valueToTree(resourceRules));
    status.set("nonResourceRules", Serialization.jsonMapper().valueToTree(nonResourceRules));
    status.put("incomplete", false);
    return out;
  }

  // ---- helpers ----

  private static ApiException invalid(String field, String message) {
    return ApiException.invalid(
        TOKEN_REQUEST, "", List.of(new ApiException.Cause("FieldValueInvalid", field, message)));
  }

  private static ApiException invalidReview(String kind, String field, String message) {
    ResourceType type =
        new ResourceType(
            "authorization.k8s.io",
            "v1",
            kind.toLowerCase() + "s",
            kind.toLowerCase(),
            kind,
            false,
            List.of(),
            List.of(),
            null);
    return ApiException.invalid(
        type, "", List.of(new ApiException.Cause("FieldValueInvalid", field, message)));
  }

  private static ApiException notAllowed() {
    return ApiException.methodNotAllowed();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array.isArray()) {
      array.forEach(n -> out.add(n.asText()));
    }
    return out;
  }

  private static String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }

  private static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static MockResponse json(int code, JsonNode body) {
    try {
      return new MockResponse()
          .setResponseCode(code)
          .setHeader("Content-Type", "application/json")
          .setBody(JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
