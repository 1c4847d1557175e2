package dev.managedsecrets.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where the fabric8 CRUD mock is made to answer as an API server: every request
 * passes here first. Reads and writes of objects still go to the mock's store (so its WebSocket
 * watches keep working); what the mock lacks is added around it:
 *
 * <ul>
 *   <li>who may ask: a loopback Host, a token that authenticates a user (the server's own, or a
 *       ServiceAccount's), the body types of kubectl and fabric8 ({@link RequestGuard}), before
 *       anything else, WebSocket upgrades too; impersonation ({@link Impersonation}); then what
 *       that user may do, from the Roles and bindings stored ({@link RbacAuthorizer});
 *   <li>discovery, /version and OpenAPI v3 ({@link Discovery});
 *   <li>admission of custom resources: pruning, schema and CEL rules ({@link Admission});
 *   <li>JSON, merge and strategic merge patches ({@link Patches}), server-side apply and
 *       managedFields ({@link ManagedFields}), status writes with query parameters;
 *   <li>Secret stringData written as data; a Secret's type, and an immutable Secret's data, kept
 *       (an update that changes them is 422 Invalid); label selectors with in/notin/!key; field
 *       selectors on any field ({@link Selectors});
 *   <li>Tables for {@code kubectl get} ({@link Tables}); watches over plain HTTP as short long
 *       polls ({@link WatchLog});
 *   <li>TokenRequest, TokenReview and the access reviews ({@link AccessReviews});
 *   <li>the proxy to Services ({@link ServiceProxy}), forwarding to backends registered for their
 *       ports;
 *   <li>counting requests by method ({@link RequestCounts}); a listener that sees every request.
 * </ul>
 */
final class EmbeddedDispatcher extends KubernetesCrudDispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDispatcher.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

  /** How long a watch over plain HTTP waits when nothing changed (more than a client's 1s). */
  static final Duration LONG_POLL = Duration.ofMillis(1500);

  private final RequestCounts counts;
  private final Clock clock;
  private final RequestGuard guard;
  private final Consumer<EmbeddedApiServer.Request> listener;
  private final Admission admission;
  private final StoredRbac rbac =
      new StoredRbac(path -> parse(super.handleGet(path).getBody().readUtf8()));
  private final AccessReviews reviews;
  private final WatchLog log;

  /**
   * Storing a write takes it exclusively (preparing and admitting it does not); reads of one object
   * share it, so they never see a write half done.
   */
  private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();

  private final NameIndex names = new NameIndex();

  /** The kinds as of a number of changes to CRDs, kept until the CRDs change again. */
  private record Known(long changes, List<ResourceType> types) {}

  private final AtomicLong crdChanges = new AtomicLong();
  private volatile Known known;

  EmbeddedDispatcher(
      RequestCounts counts,
      Clock clock,
      EmbeddedApiServer.Options options,
      String token,
      ServiceAccountTokens tokens) {
    this.counts = counts;
    this.clock = clock;
    ServiceAccountTokens.Store store =
        (resource, ns, name) -> get(new ApiPath("", "v1", ns, resource, name, null, Map.of()));
    Authentication authentication = new Authentication(token, tokens, store);
    this.guard = new RequestGuard(authentication);
    this.listener = options.listener;
    this.admission = options.admission;
    this.log = new WatchLog(options.watchHistory);
    this.reviews = new AccessReviews(authentication, tokens, store, rbac::current, options.rules);
  }

  /**
   * A fault a test injects: requests with this method under this path are answered with code; when
   * {@code userAgent} is not null, only those whose User-Agent starts with it, and when {@code
   * bodyContains} is not null, only those whose body contains it.
   */
  record Fault(String method, String pathPrefix, int code, String userAgent, String bodyContains) {
    boolean matches(RecordedRequest request) {
      String agent = request.getHeader("User-Agent");
      if (!method.equalsIgnoreCase(request.getMethod())
          || !ApiPath.pathOf(request.getPath()).startsWith(pathPrefix)
          || (userAgent != null && (agent == null || !agent.startsWith(userAgent)))) {
        return false;
      }
      if (bodyContains == null) {
        return true;
      }
      Buffer body = request.getBody();
      return body != null
          && new String(body.getBytes(), StandardCharsets.UTF_8).contains(bodyContains);
    }
  }

  final List<Fault> faults = new CopyOnWriteArrayList<>();

  /**
   * A throttle a test injects: the next {@code remaining} requests with this method under this path
   * whose User-Agent starts with {@code userAgent} are answered 429 Too Many Requests with {@code
   * Retry-After: retryAfterSeconds}, as API Priority and Fairness answers a client whose priority
   * level is full.
   */
  record Throttle(
      String userAgent,
      String method,
      String pathPrefix,
      int retryAfterSeconds,
      AtomicInteger remaining) {

    /** True when this request is one of the throttled (and counts it). */
    boolean take(RecordedRequest request) {
      String agent = request.getHeader("User-Agent");
      return method.equalsIgnoreCase(request.getMethod())
          && ApiPath.pathOf(request.getPath()).startsWith(pathPrefix)
          && agent != null
          && agent.startsWith(userAgent)
          && remaining.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }
  }

  final List<Throttle> throttles = new CopyOnWriteArrayList<>();

  /** The WebSocket watches open now (the mock's), for {@link #dropWatches()}. */
  private final Set<WebSocket> watches = ConcurrentHashMap.newKeySet();

  /** Closes every WebSocket watch open now, as an API server does when it restarts. */
  int dropWatches() {
    int dropped = 0;
    for (WebSocket socket : List.copyOf(watches)) {
      watches.remove(socket);
      socket.close(1001, "the embedded API server dropped the watch (a test's fault)");
      dropped++;
    }
    return dropped;
  }

  /** The proxy to Services, and the backends registered for their ports. */
  final ServiceProxy proxy = new ServiceProxy();

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    long started = System.nanoTime();
    MockResponse response;
    try {
      UserInfo user = Impersonation.of(guard.check(request), request.getHeaders(), this::authorize);
      if (listener != null) {
        // Before routing: the handlers consume the body.
        Buffer body = request.getBody();
        listener.accept(
            new EmbeddedApiServer.Request(
                request.getMethod(),
                request.getPath(),
                request.getHeader("User-Agent"),
                body == null ? "" : new String(body.getBytes(), StandardCharsets.UTF_8),
                started));
      }
      ApiRequest attributes = ApiRequest.of(request.getMethod(), request.getPath());
      RbacAuthorizer.Decision decision = authorize(user, attributes);
      if (!decision.allowed()) {
        throw ApiException.forbidden(user, attributes, decision.reason());
      }
      for (Fault f : faults) {
        if (f.matches(request)) {
          throw ApiException.ofCode(f.code(), "injected fault: " + f.code());
        }
      }
      Throttle throttle = throttles.stream().filter(t -> t.take(request)).findFirst().orElse(null);
      if (throttle != null) {
        response =
            json(429, ApiException.tooManyRequests(throttle.retryAfterSeconds()).toStatus())
                .setHeader("Retry-After", String.valueOf(throttle.retryAfterSeconds()));
      } else {
        MockResponse review = reviews.answer(request, user);
        response = review != null ? review : route(request);
        if (response.code() >= 400 && !ServiceProxy.matches(ApiPath.pathOf(request.getPath()))) {
          throw fromMock(request, response);
        }
      }
    } catch (ApiException e) {
      response = json(e.code, e.toStatus());
    } catch (RuntimeException e) {
      // The exception's message may quote the request body: log its type only.
      LOG.warn(
          "Request {} {} failed: {}",
          request.getMethod(),
          ApiPath.pathOf(request.getPath()),
          e.getClass().getName());
      response = json(500, ApiException.internalError(e.getClass().getSimpleName()).toStatus());
    } finally {
      counts.record(request.getMethod(), request.getPath(), System.nanoTime() - started);
    }
    if (response.getHeaders().get("Content-Type") == null) {
      response.setHeader("Content-Type", "application/json");
    }
    return response;
  }

  /**
   * The safety net: an error the fabric8 mock answered itself (every refusal of this server's own
   * is an ApiException; the mock words them with reason Invalid whatever the code), answered with
   * the reason that goes with its code, and logged so that a test notices the leak.
   */
  private static ApiException fromMock(RecordedRequest request, MockResponse response) {
    LOG.warn(
        "The mock answered {} {} with {}: translated",
        request.getMethod(),
        ApiPath.pathOf(request.getPath()),
        response.code());
    String message = "the server responded with the status code " + response.code();
    try {
      Buffer body = response.getBody();
      JsonNode status = body == null ? null : JSON.readTree(body.readUtf8());
      if (status != null && status.path("message").isTextual()) {
        message = status.path("message").asText();
      }
    } catch (JsonProcessingException e) {
      // no Status: the generic message
    }
    return ApiException.ofCode(response.code(), message);
  }

  private MockResponse route(RecordedRequest request) {
    String uri = request.getPath();
    String path = ApiPath.pathOf(uri);
    String method = request.getMethod();
    if (ServiceProxy.matches(path)) {
      return proxy.forward(request, this::get);
    }
    ApiPath p = ApiPath.parse(uri);
    checkDryRun(p, method);
    String contentType = request.getHeader("Content-Type");
    if (contentType != null
        && contentType.startsWith(Protobuf.CONTENT_TYPE)
        && RequestCounts.WRITE_METHODS.contains(method)) {
      return protobuf(p, method, request);
    }
    if (p == null && method.equals("GET")) {
      MockResponse meta = metadata(path);
      if (meta != null) {
        return meta;
      }
    }
    ResourceType type = p == null ? null : typeOf(p);
    if (type == null) {
      throw ApiException.notFoundGeneric();
    }
    return switch (method) {
      case "GET" -> read(p, type, request);
      case "POST" -> locked(create(p, type, body(request), manager(p, request), true));
      case "PUT" -> update(p, type, body(request), manager(p, request));
      case "PATCH" -> patch(p, type, request);
      case "DELETE" -> {
        ObjectNode options = deleteOptions(request);
        yield locked(() -> delete(p, type, options));
      }
      default -> throw ApiException.methodNotAllowed();
    };
  }

  /** The kinds whose create, update and delete take a protobuf body, by their core resource. */
  private static final Map<String, String> PROTOBUF_KINDS =
      Map.of("secrets", "Secret", "configmaps", "ConfigMap", "namespaces", "Namespace");

  /**
   * A write with a protobuf body (client-go's, Helm's release Secrets): the create, update and
   * delete of the kinds of {@link #PROTOBUF_KINDS} read their object or DeleteOptions into JSON and
   * go the way JSON does; anything else (a patch, another resource, a subresource) is 415.
   */
  private MockResponse protobuf(ApiPath p, String method, RecordedRequest request) {
    String kind =
        p == null || !p.group().isEmpty() || p.subresource() != null
            ? null
            : PROTOBUF_KINDS.get(p.resource());
    ResourceType type = kind == null ? null : typeOf(p);
    if (type == null || method.equals("PATCH")) {
      throw Protobuf.unsupported(
          method + " " + (p == null ? ApiPath.pathOf(request.getPath()) : p.plainPath()));
    }
    byte[] body = request.getBody() == null ? new byte[0] : request.getBody().readByteArray();
    return switch (method) {
      case "POST" ->
          locked(create(p, type, Protobuf.object(body, kind), manager(p, request), true));
      case "PUT" -> update(p, type, Protobuf.object(body, kind), manager(p, request));
      default -> {
        ObjectNode options =
            body.length == 0 ? JSON.createObjectNode() : Protobuf.object(body, "DeleteOptions");
        yield locked(() -> delete(p, type, options));
      }
    };
  }

  /** What RBAC (or membership of system:masters) allows a user. */
  private RbacAuthorizer.Decision authorize(UserInfo user, ApiRequest request) {
    return user.isPrivileged()
        ? new RbacAuthorizer.Decision(true, "")
        : rbac.current().authorize(user, request);
  }

  private MockResponse metadata(String path) {
    List<ResourceType> types = types();
    JsonNode answer;
    if (path.equals("/version")) {
      answer = Discovery.version();
    } else if (path.equals("/openapi/v3")) {
      answer = Discovery.openApiIndex(types);
    } else if (path.startsWith("/openapi/v3/")) {
      answer = Discovery.openApi(path, types);
      if (answer == null) {
        throw ApiException.notFoundGeneric();
      }
    } else if (path.equals("/openapi/v2")) {
      return Discovery.openApiV2();
    } else if (path.equals("/")) {
      throw ApiException.notFoundGeneric();
    } else {
      answer = Discovery.answer(path, types);
    }
    return answer == null ? null : json(200, answer.toString());
  }

  // ---- reads ----

  private MockResponse read(ApiPath p, ResourceType type, RecordedRequest request) {
    String watch = p.query().get("watch");
    if ("true".equals(watch) || "1".equals(watch)) {
      if (LoopbackHttp.isWebSocket(request.getHeader("Upgrade"))) {
        // fabric8 clients: the mock's WebSocket watch (which starts from now), kept track of for
        // dropWatches(); from a resourceVersion the log no longer covers, 410 Expired.
        String since = p.query().getOrDefault("resourceVersion", "");
        if (!since.isEmpty() && !since.equals("0")) {
          try {
            eventsSince(since);
          } catch (ApiException e) {
            return expiredWatch(e);
          }
        }
        MockResponse upgrade = super.handleGet(request.getPath());
        WebSocketListener listener = upgrade.getWebSocketListener();
        return listener == null ? upgrade : upgrade.withWebSocketUpgrade(tracked(listener));
      }
      return httpWatch(p, type, Tables.wanted(request.getHeader("Accept")));
    }
    JsonNode result;
    if (p.name() != null) {
      result = get(p);
      if (result == null) {
        throw ApiException.notFound(p);
      }
    } else {
      result = list(p, type);
      checkListVersion(p, result);
    }
    if (Tables.wanted(request.getHeader("Accept"))) {
      result = Tables.of(type, result, clock.instant());
    }
    return json(200, result.toString());
  }

  private JsonNode get(ApiPath p) {
    rw.readLock().lock();
    try {
      Map.Entry<AttributeSet, String> found = findResource(getKey(p.objectPath()));
      return found == null ? null : parse(found.getValue());
    } finally {
      rw.readLock().unlock();
    }
  }

  /**
   * The object a query names, found through the name index instead of the mock's scan of its whole
   * store; the mock's own create, update and patch handlers call this too.
   */
  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
    String name = NameIndex.nameOf(attributes);
    if (name == null || name.equals("*")) {
      return super.findResource(attributes);
    }
    return names.find(attributes, map);
  }

  @Override
  public void reset() {
    rw.writeLock().lock();
    try {
      super.reset();
      names.clear();
    } finally {
      rw.writeLock().unlock();
    }
  }

  private ObjectNode list(ApiPath p, ResourceType type) {
    MockResponse r = super.handleGet(p.withName(null).withoutSubresource().objectPath());
    ObjectNode list = (ObjectNode) parse(r.getBody().readUtf8());
    Predicate<JsonNode> match = selected(p);
    ArrayNode items = JSON.createArrayNode();
    for (JsonNode item : list.path("items")) {
      if (match.test(item)) {
        items.add(item);
      }
    }
    list.set("items", items);
    list.put("kind", type.kind() + "List").put("apiVersion", type.groupVersion());
    return list;
  }

  private static Predicate<JsonNode> selected(ApiPath p) {
    Predicate<JsonNode> named =
        o -> p.name() == null || p.name().equals(o.at("/metadata/name").asText());
    return named
        .and(Selectors.labels(p.query().get("labelSelector")))
        .and(Selectors.fields(p.query().get("fieldSelector")));
  }

  /**
   * A watch over plain HTTP, answered as a short long poll: the events after the requested
   * resourceVersion at once, or an empty answer after {@link #LONG_POLL} when there are none; the
   * client watches again from where it was. Without a resourceVersion, the current objects come
   * first as ADDED.
   */
  private MockResponse httpWatch(ApiPath p, ResourceType type, boolean tables) {
    Predicate<JsonNode> match = selected(p);
    String since = p.query().getOrDefault("resourceVersion", "");
    StringBuilder out = new StringBuilder();
    if (since.isEmpty() || since.equals("0")) {
      for (JsonNode item : list(p, type).path("items")) {
        out.append(event("ADDED", tables ? Tables.of(type, item, clock.instant()) : item));
      }
    } else {
      List<WatchLog.Event> events;
      try {
        events = eventsSince(since);
      } catch (ApiException e) {
        // As the API server: the watch starts, and its first event is the error.
        return json(200, event("ERROR", parse(e.toStatus())));
      }
      for (WatchLog.Event e : events) {
        if (!sameCollection(e.path(), p)) {
          continue;
        }
        JsonNode object = parse(e.object());
        if (match.test(object)) {
          out.append(event(e.type(), tables ? Tables.of(type, object, clock.instant()) : object));
        }
      }
    }
    if (out.length() > 0) {
      return json(200, out.toString());
    }
    // Nothing yet: answer later (the mock sends an empty body at once, so send a bookmark or a
    // blank line), and the client watches again.
    String idle = "\n";
    if ("true".equals(p.query().get("allowWatchBookmarks"))) {
      ObjectNode bookmark = JSON.createObjectNode();
      bookmark.put("kind", type.kind()).put("apiVersion", type.groupVersion());
      bookmark.putObject("metadata").put("resourceVersion", String.valueOf(log.latest()));
      idle = event("BOOKMARK", bookmark);
    }
    return json(200, idle).setBodyDelay(LONG_POLL);
  }

  /**
   * The changes after a resourceVersion; 410 Expired when the log no longer keeps them all (the
   * client lists again), 400 for a resourceVersion that is not one.
   */
  private List<WatchLog.Event> eventsSince(String since) {
    long asked;
    try {
      asked = Long.parseLong(since);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("invalid resource version: " + ApiException.quote(since));
    }
    List<WatchLog.Event> events = log.since(asked);
    if (events == null) {
      throw ApiException.tooOldResourceVersion(since, log.oldest());
    }
    return events;
  }

  /**
   * A WebSocket watch from a resourceVersion older than the log keeps: answered with one ERROR
   * event holding the 410 Expired Status, then closed, as the API server ends such a watch
   * (fabric8's informers then list again: {@code WatcherException.isHttpGone()}).
   */
  private static MockResponse expiredWatch(ApiException expired) {
    String error = event("ERROR", parse(expired.toStatus()));
    return new MockResponse()
        .withWebSocketUpgrade(
            new WebSocketListener() {
              @Override
              public void onOpen(WebSocket socket, Response response) {
                socket.send(error);
                socket.close(1000, "");
              }
            });
  }

  /**
   * A list answers the current state only: one asked for Exactly another resourceVersion, or
   * continuing from a token (this server hands out none), is 410 Expired, as the API server answers
   * for history it no longer keeps.
   */
  private static void checkListVersion(ApiPath p, JsonNode list) {
    if (p.query().get("continue") != null && !p.query().get("continue").isEmpty()) {
      throw ApiException.expired(
          "The provided continue parameter is too old to display a consistent list result. You"
              + " can start a new list without the continue parameter.");
    }
    String asked = p.query().getOrDefault("resourceVersion", "");
    if ("Exact".equals(p.query().get("resourceVersionMatch"))
        && !asked.isEmpty()
        && !asked.equals(list.at("/metadata/resourceVersion").asText())) {
      throw ApiException.expired("The resourceVersion for the provided list is too old.");
    }
  }

  private static boolean sameCollection(ApiPath changed, ApiPath watched) {
    return changed.group().equals(watched.group())
        && changed.resource().equals(watched.resource())
        && (watched.namespace() == null || watched.namespace().equals(changed.namespace()))
        && (watched.name() == null || watched.name().equals(changed.name()));
  }

  private static String event(String type, JsonNode object) {
    ObjectNode e = JSON.createObjectNode().put("type", type);
    e.set("object", object);
    return e + "\n";
  }

  // ---- writes ----
  //
  // A write is prepared (patched, admitted, its managedFields recorded) outside the write lock, so
  // that a slow admission holds no other request; only storing it takes the lock. An update is
  // prepared against the object as stored and stored only if the object is still as it was, else
  // prepared again, as the API server's guaranteed update does.

  /**
   * Prepares a create: answers the store's write, to run under the lock (where a name already taken
   * is a conflict).
   */
  private Supplier<MockResponse> create(
      ApiPath p, ResourceType type, ObjectNode object, String manager, boolean recordUpdate) {
    if (p.name() != null) {
      throw ApiException.methodNotAllowed();
    }
    if (type.namespaced()) {
      if (p.namespace() == null) {
        throw ApiException.notFoundGeneric();
      }
      if (get(new ApiPath("", "v1", null, "namespaces", p.namespace(), null, p.query())) == null) {
        throw ApiException.notFound("", "namespaces", p.namespace());
      }
      takeUrlNamespace(object, p);
    }
    if (type.isCrd()) {
      object.remove("status"); // a new CRD's status is the server's (PrepareForCreate)
    }
    normalize(type, object);
    acceptCrd(type, object, false);
    if (!object.at("/metadata/name").isTextual()
        && object.at("/metadata/generateName").asText("").isEmpty()) {
      throw ApiException.nameRequired(type);
    }
    Admission.checkName(type, object);
    if (type.isCustom()) {
      admission.admit(type, object, null, strict(p), false);
    }
    if (recordUpdate) {
      ManagedFields.recordUpdate(null, object, manager, null, clock.instant());
    }
    String name = object.at("/metadata/name").asText("");
    return () -> {
      // Under the lock: a taken name is AlreadyExists, as the API server says it (the mock would
      // answer 409 with reason Invalid, which client-go does not recognise).
      if (!name.isEmpty() && get(p.withName(name)) != null) {
        throw ApiException.alreadyExists(type, name);
      }
      if (dryRun(p)) {
        // Admitted, and not stored (kubectl --dry-run=server), with the name it would get.
        if (name.isEmpty()) {
          object
              .withObjectProperty("metadata")
              .put("name", generatedName(object.at("/metadata/generateName").asText()));
        }
        return json(201, object.toString());
      }
      return super.handleCreate(request(HttpMethod.POST, p.withName(null).objectPath(), object));
    };
  }

  /**
   * Whether a write is a dry run ({@code ?dryRun=All}: kubectl's {@code --dry-run=server} and
   * {@code kubectl diff}): admitted and answered as it would be stored, and not stored.
   */
  private static boolean dryRun(ApiPath p) {
    return "All".equals(p.query().get("dryRun"));
  }

  /** The options kind of each write, as the API server names it when it refuses one. */
  private static final Map<String, String> OPTIONS_KINDS =
      Map.of(
          "POST", "CreateOptions",
          "PUT", "UpdateOptions",
          "PATCH", "PatchOptions",
          "DELETE", "DeleteOptions");

  /** A write's dryRun is All or absent: anything else is refused (and never written). */
  private static void checkDryRun(ApiPath p, String method) {
    String value = p == null ? null : p.query().get("dryRun");
    if (value != null && !value.equals("All") && OPTIONS_KINDS.containsKey(method)) {
      throw ApiException.invalid(
          "meta.k8s.io",
          OPTIONS_KINDS.get(method),
          "",
          List.of(
              new ApiException.Cause(
                  "FieldValueNotSupported",
                  "dryRun",
                  "Unsupported value: [\"" + value + "\"]: supported values: \"All\"")));
    }
  }

  /** Letters of a generated name's suffix, as the API server's (no vowels, no look-alikes). */
  private static final String NAME_SUFFIX_LETTERS = "bcdfghjklmnpqrstvwxz2456789";

  /** {@code prefix} and five random letters: the name a create with generateName gets. */
  private static String generatedName(String prefix) {
    StringBuilder name = new StringBuilder(prefix);
    java.util.concurrent.ThreadLocalRandom random =
        java.util.concurrent.ThreadLocalRandom.current();
    for (int i = 0; i < 5; i++) {
      name.append(NAME_SUFFIX_LETTERS.charAt(random.nextInt(NAME_SUFFIX_LETTERS.length())));
    }
    return name.toString();
  }

  /**
   * Writes what {@code prepare} makes of the object as stored (null when there is none): prepared
   * outside the lock, stored under it if the object's resourceVersion has not changed meanwhile,
   * else prepared again.
   */
  private MockResponse write(ApiPath p, Function<JsonNode, Supplier<MockResponse>> prepare) {
    while (true) {
      JsonNode current = get(p);
      String version = resourceVersion(current);
      Supplier<MockResponse> store = prepare.apply(current);
      rw.writeLock().lock();
      try {
        if (Objects.equals(resourceVersion(get(p)), version)) {
          return store.get();
        }
      } finally {
        rw.writeLock().unlock();
      }
    }
  }

  private static String resourceVersion(JsonNode object) {
    return object == null ? null : object.at("/metadata/resourceVersion").asText();
  }

  /** An update (PUT) with the object sent, whose name must be the URL's. */
  private MockResponse update(ApiPath p, ResourceType type, ObjectNode sent, String manager) {
    requireUrlName(sent.at("/metadata/name").asText(p.name()), p);
    if (type.namespaced()) {
      takeUrlNamespace(sent, p);
    }
    return write(
        p,
        current -> {
          if (current == null) {
            throw ApiException.notFound(p);
          }
          return store(p, type, current, sent.deepCopy(), manager, true);
        });
  }

  private MockResponse patch(ApiPath p, ResourceType type, RecordedRequest request) {
    String contentType = request.getHeader("Content-Type");
    String body = request.getBody().readUtf8();
    if (contentType != null && contentType.startsWith(Patches.APPLY_PATCH)) {
      return write(p, current -> apply(p, type, current, body, request));
    }
    String manager = manager(p, request);
    return write(
        p,
        current -> {
          if (current == null) {
            throw ApiException.notFound(p);
          }
          JsonNode patched = Patches.apply(contentType, current, parse(body));
          if (!patched.isObject()) {
            throw ApiException.badRequest("the patch did not produce an object");
          }
          return store(p, type, current, (ObjectNode) patched, manager, true);
        });
  }

  /**
   * The URL's namespace into the object; 400 BadRequest when the object names another, in the API
   * server's words (an object is never written into a namespace the request was not authorized
   * for).
   */
  private static void takeUrlNamespace(ObjectNode object, ApiPath p) {
    String sent = object.at("/metadata/namespace").asText("");
    if (!sent.isEmpty() && !sent.equals(p.namespace())) {
      throw ApiException.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request");
    }
    object.withObjectProperty("metadata").put("namespace", p.namespace());
  }

  /** 400 BadRequest when the object's name is not the one on the URL. */
  private static void requireUrlName(String name, ApiPath p) {
    if (!Objects.equals(name, p.name())) {
      throw ApiException.badRequest(
          "the name of the object ("
              + name
              + ") does not match the name on the URL ("
              + p.name()
              + ")");
    }
  }

  /** Prepares a server-side apply: create or update, with field ownership per manager. */
  private Supplier<MockResponse> apply(
      ApiPath p, ResourceType type, JsonNode current, String body, RecordedRequest request) {
    String manager = p.query().get("fieldManager");
    if (manager == null || manager.isBlank()) {
      throw ApiException.fieldManagerRequired();
    }
    ObjectNode applied;
    try {
      JsonNode node = YAML.readTree(body);
      if (!(node instanceof ObjectNode o)) {
        throw ApiException.badRequest("the apply patch is not an object");
      }
      applied = o;
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("error decoding YAML: " + e.getOriginalMessage());
    }
    if (!applied.path("kind").asText().equals(type.kind())
        || !applied.path("apiVersion").asText().equals(type.groupVersion())) {
      throw ApiException.badRequest(
          "the apply patch must declare apiVersion "
              + type.groupVersion()
              + " and kind "
              + type.kind());
    }
    requireUrlName(applied.at("/metadata/name").asText(p.name()), p);
    applied.withObjectProperty("metadata").put("name", p.name());
    if (p.namespace() != null) {
      takeUrlNamespace(applied, p);
    }
    boolean force = "true".equals(p.query().get("force"));
    String subresource = p.isStatus() ? "status" : null;
    ObjectNode result =
        ManagedFields.apply(current, applied, manager, force, subresource, clock.instant(), type);
    if (current == null) {
      if (p.isStatus()) {
        throw ApiException.notFound(p);
      }
      return create(p.withName(null), type, result, manager, false);
    }
    return store(p, type, current, result, manager, false);
  }

  /**
   * Prepares storing {@code proposed} over {@code current}: a status write keeps everything but
   * status, any other write keeps the status of a kind with a status subresource; then admission
   * and field ownership. Answers the store's write: the mock's update (which checks resourceVersion
   * and bumps generation), or nothing when nothing changes.
   */
  private Supplier<MockResponse> store(
      ApiPath p,
      ResourceType type,
      JsonNode current,
      ObjectNode proposed,
      String manager,
      boolean recordUpdate) {
    // Optimistic concurrency, for every write: one from an older resourceVersion is refused with
    // Conflict. (The mock checks it for the object, with reason Invalid, and builds a status write
    // from the object as it is now, resourceVersion included, so it never would refuse that.)
    String expected = proposed.at("/metadata/resourceVersion").asText("");
    if (!expected.isEmpty() && !expected.equals(current.at("/metadata/resourceVersion").asText())) {
      throw ApiException.modified(type, p.name());
    }
    ObjectNode candidate;
    if (p.isStatus()) {
      candidate = ((ObjectNode) current).deepCopy();
      setOrRemove(candidate, "status", proposed.get("status"));
      if (proposed.at("/metadata/resourceVersion").isTextual()) {
        candidate
            .withObjectProperty("metadata")
            .set("resourceVersion", proposed.at("/metadata/resourceVersion"));
      }
    } else {
      candidate = proposed;
      if (type.hasStatusSubresource()) {
        setOrRemove(candidate, "status", current.get("status"));
      }
    }
    normalize(type, candidate);
    acceptCrd(type, candidate, p.isStatus());
    if (!p.isStatus()) {
      checkSecretUpdate(type, current, candidate);
    }
    if (type.isCustom()) {
      admission.admit(type, candidate, current, strict(p), p.isStatus());
    }
    if (recordUpdate) {
      ManagedFields.recordUpdate(
          current, candidate, manager, p.isStatus() ? "status" : null, clock.instant());
    }
    if (candidate.equals(current)) {
      // Nothing changes (e.g. the same server-side apply again): nothing is written, and the
      // resourceVersion stays. (The mock would still write a cluster-scoped object once, adding
      // metadata.namespace: null.)
      return () -> json(200, current.toString());
    }
    if (dryRun(p)) {
      return () -> json(200, candidate.toString());
    }
    return () -> super.handleUpdate(request(HttpMethod.PUT, p.plainPath(), candidate));
  }

  /**
   * Deletes one object, or those of a collection that the selectors choose, as DeleteOptions say
   * (in the body, or dryRun in the query): with {@code dryRun: [All]} nothing is deleted, and the
   * preconditions (uid, resourceVersion) of a named delete must hold, else 409 Conflict. The other
   * options (grace period, propagation) mean nothing here: there is no garbage collector.
   */
  private MockResponse delete(ApiPath p, ResourceType type, JsonNode options) {
    boolean dryRun =
        dryRun(p)
            || StreamSupport.stream(options.path("dryRun").spliterator(), false)
                .anyMatch(v -> v.asText().equals("All"));
    if (p.name() != null) {
      JsonNode current = get(p);
      if (current == null) {
        throw ApiException.notFound(p);
      }
      checkPreconditions(type, p.name(), current, options.path("preconditions"));
      if (dryRun) {
        return json(200, current.toString());
      }
      MockResponse r = super.handleDelete(p.objectPath());
      if (r.code() == 404) {
        throw ApiException.notFound(p);
      }
      return r;
    }
    ObjectNode deleted = list(p, type);
    for (JsonNode item : dryRun ? List.<JsonNode>of() : deleted.path("items")) {
      String ns = item.at("/metadata/namespace").asText(null);
      String name = item.at("/metadata/name").asText();
      ApiPath one = new ApiPath(p.group(), p.version(), ns, p.resource(), name, null, p.query());
      super.handleDelete(one.objectPath());
    }
    return json(200, deleted.toString());
  }

  /** A delete's preconditions, in the API server's words when one does not hold. */
  private static void checkPreconditions(
      ResourceType type, String name, JsonNode current, JsonNode preconditions) {
    for (String field : List.of("uid", "resourceVersion")) {
      JsonNode expected = preconditions.get(field);
      String actual = current.at("/metadata/" + field).asText();
      if (expected != null && !expected.isNull() && !expected.asText().equals(actual)) {
        String label = field.equals("uid") ? "UID" : "ResourceVersion";
        throw ApiException.conflict(
            type.group(),
            type.plural(),
            name,
            "Precondition failed: "
                + label
                + " in precondition: "
                + expected.asText()
                + ", "
                + label
                + " in object meta: "
                + actual);
      }
    }
  }

  /** A delete's DeleteOptions in JSON, empty when there is no body. */
  private static ObjectNode deleteOptions(RecordedRequest request) {
    Buffer body = request.getBody();
    return body == null || body.size() == 0 ? JSON.createObjectNode() : body(request);
  }

  /**
   * What the API server's validation of a Secret update refuses (ValidateSecretUpdate): another
   * type, and for a Secret with {@code immutable: true}, other data or immutable unset; a 422 in
   * its words.
   */
  private static void checkSecretUpdate(ResourceType type, JsonNode current, JsonNode candidate) {
    if (!type.group().isEmpty() || !type.kind().equals("Secret")) {
      return;
    }
    List<ApiException.Cause> causes = new ArrayList<>();
    String before = current.path("type").asText("Opaque");
    String after = candidate.path("type").asText("Opaque");
    if (!before.equals(after)) {
      causes.add(
          new ApiException.Cause(
              "FieldValueInvalid", "type", "Invalid value: \"" + after + "\": field is immutable"));
    }
    if (current.path("immutable").asBoolean(false)) {
      String forbidden = "Forbidden: field is immutable when `immutable` is set";
      if (!candidate.path("immutable").asBoolean(false)) {
        causes.add(new ApiException.Cause("FieldValueForbidden", "immutable", forbidden));
      }
      if (!emptyIfMissing(current.get("data")).equals(emptyIfMissing(candidate.get("data")))) {
        causes.add(new ApiException.Cause("FieldValueForbidden", "data", forbidden));
      }
    }
    if (!causes.isEmpty()) {
      throw ApiException.invalid(type, candidate.at("/metadata/name").asText(), causes);
    }
  }

  private static JsonNode emptyIfMissing(JsonNode node) {
    return node == null || node.isNull() ? JSON.createObjectNode() : node;
  }

  /**
   * What the API server does to every object of a kind: kind and apiVersion from the URL when the
   * body has none, empty labels and annotations left out (ObjectMeta's omitempty: a patch that
   * removes the last annotation leaves none, not {}), Secret stringData into data, a Namespace's
   * phase.
   */
  private static void normalize(ResourceType type, ObjectNode object) {
    if (object.get("metadata") instanceof ObjectNode meta) {
      for (String map : List.of("labels", "annotations")) {
        JsonNode value = meta.get(map);
        if (value != null && (value.isNull() || (value.isObject() && value.isEmpty()))) {
          meta.remove(map);
        }
      }
    }
    if (!object.path("kind").isTextual()) {
      object.put("kind", type.kind());
    }
    if (!object.path("apiVersion").isTextual()) {
      object.put("apiVersion", type.groupVersion());
    }
    if (type.group().isEmpty() && type.kind().equals("Secret") && object.has("stringData")) {
      JsonNode stringData = object.remove("stringData");
      ObjectNode data = object.withObjectProperty("data");
      stringData
          .fields()
          .forEachRemaining(
              e ->
                  data.put(
                      e.getKey(),
                      Base64.getEncoder()
                          .encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8))));
    }
    if (type.group().isEmpty()
        && type.kind().equals("Namespace")
        && !object.at("/status/phase").isTextual()) {
      object.withObjectProperty("status").put("phase", "Active");
    }
  }

  /**
   * What the API server's CRD controllers write into a CustomResourceDefinition's status at once
   * (there are no conflicting names here): {@code acceptedNames} are the spec's names, the
   * conditions {@code NamesAccepted} and {@code Established} are True (conditions of other types
   * are kept), and {@code storedVersions} gains the storage version. Helm and {@code kubectl wait
   * --for condition=established} wait for {@code Established}. A status write may remove old stored
   * versions (the storage migration's last step) but not the storage version: 422, as the API
   * server's validation.
   */
  private void acceptCrd(ResourceType type, ObjectNode crd, boolean statusWrite) {
    if (!type.isCrd()) {
      return;
    }
    ObjectNode status = crd.withObjectProperty("status");
    Set<String> stored = new LinkedHashSet<>();
    status.path("storedVersions").forEach(v -> stored.add(v.asText()));
    for (JsonNode version : crd.at("/spec/versions")) {
      String name = version.path("name").asText();
      if (version.path("storage").asBoolean(false) && stored.add(name) && statusWrite) {
        throw ApiException.invalid(
            "apiextensions.k8s.io",
            "CustomResourceDefinition",
            crd.at("/metadata/name").asText(),
            List.of(
                new ApiException.Cause(
                    "FieldValueInvalid",
                    "status.storedVersions",
                    "Invalid value: "
                        + status.path("storedVersions")
                        + ": must have the storage version "
                        + name)));
      }
    }
    status.set("acceptedNames", crd.at("/spec/names").deepCopy());
    ArrayNode conditions = JSON.createArrayNode();
    conditions.add(crdCondition(status, "NamesAccepted", "NoConflicts", "no conflicts found"));
    conditions.add(
        crdCondition(
            status, "Established", "InitialNamesAccepted", "the initial names have been accepted"));
    for (JsonNode c : status.path("conditions")) {
      String t = c.path("type").asText();
      if (!t.equals("NamesAccepted") && !t.equals("Established")) {
        conditions.add(c);
      }
    }
    status.set("conditions", conditions);
    ArrayNode storedVersions = status.putArray("storedVersions");
    stored.forEach(storedVersions::add);
  }

  /** A True condition; its transition time stays what it was if it was True already. */
  private ObjectNode crdCondition(ObjectNode status, String type, String reason, String message) {
    String since = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    for (JsonNode c : status.path("conditions")) {
      if (c.path("type").asText().equals(type) && c.path("status").asText().equals("True")) {
        since = c.path("lastTransitionTime").asText(since);
      }
    }
    return JSON.createObjectNode()
        .put("type", type)
        .put("status", "True")
        .put("lastTransitionTime", since)
        .put("reason", reason)
        .put("message", message);
  }

  // ---- the store's side ----

  @Override
  public void processEvent(
      String path,
      AttributeSet pathAttributes,
      AttributeSet oldAttributes,
      GenericKubernetesResource resource,
      String newState) {
    String existing = oldAttributes == null ? null : map.get(oldAttributes);
    super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
    names.moved(
        oldAttributes, newState == null ? null : storedKey(pathAttributes, resource, newState));
    if (path.startsWith(CRDS)) {
      crdChanges.incrementAndGet();
    }
    rbac.changed(path);
    ApiPath p = ApiPath.parse(path);
    if (p == null || Objects.equals(existing, newState)) {
      return;
    }
    if (newState != null) {
      JsonNode object = parse(newState);
      long rv = Long.parseLong(object.at("/metadata/resourceVersion").asText("0"));
      String name = object.at("/metadata/name").asText();
      log.add(
          new WatchLog.Event(
              rv, p.withName(name), existing == null ? "ADDED" : "MODIFIED", newState));
    } else if (existing != null) {
      ObjectNode object = (ObjectNode) parse(existing);
      long rv = requestResourceVersion();
      object.withObjectProperty("metadata").put("resourceVersion", String.valueOf(rv));
      String name = object.at("/metadata/name").asText();
      log.add(new WatchLog.Event(rv, p.withName(name), "DELETED", object.toString()));
    }
  }

  /** The key under which the mock's processEvent stored an object: as the mock computes it. */
  private AttributeSet storedKey(
      AttributeSet pathAttributes, GenericKubernetesResource resource, String newState) {
    KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) attributeExtractor;
    AttributeSet key =
        resource != null ? extractor.extract(resource) : extractor.fromResource(newState);
    if (!key.containsKey(KubernetesAttributesExtractor.PLURAL)) {
      key = AttributeSet.merge(pathAttributes, key);
    }
    if (!map.containsKey(key)) {
      throw new IllegalStateException("the name index lost track of the store's keys");
    }
    return key;
  }

  /** The built-in kinds and every served version of every stored CRD. */
  List<ResourceType> types() {
    long changes = crdChanges.get();
    Known known = this.known;
    if (known != null && known.changes() == changes) {
      return known.types();
    }
    List<ResourceType> types = new ArrayList<>(ResourceType.BUILT_IN);
    for (JsonNode crd : parse(super.handleGet(CRDS).getBody().readUtf8()).path("items")) {
      types.addAll(ResourceType.fromCrd(crd));
    }
    this.known = new Known(changes, List.copyOf(types));
    return this.known.types();
  }

  private ResourceType typeOf(ApiPath p) {
    for (ResourceType t : types()) {
      if (t.group().equals(p.group())
          && t.version().equals(p.version())
          && t.plural().equals(p.resource())) {
        return t;
      }
    }
    return null;
  }

  /** The mock's listener of a WebSocket watch, with the socket in {@link #watches} while open. */
  private WebSocketListener tracked(WebSocketListener mock) {
    return new WebSocketListener() {
      @Override
      public void onBeforeAccept(WebSocket socket, Response response) {
        mock.onBeforeAccept(socket, response);
      }

      @Override
      public void onOpen(WebSocket socket, Response response) {
        watches.add(socket);
        mock.onOpen(socket, response);
      }

      @Override
      public void onMessage(WebSocket socket, String text) {
        mock.onMessage(socket, text);
      }

      @Override
      public void onMessage(WebSocket socket, ByteString bytes) {
        mock.onMessage(socket, bytes);
      }

      @Override
      public void onMessage(WebSocket socket, byte[] bytes) {
        mock.onMessage(socket, bytes);
      }

      @Override
      public void onClosing(WebSocket socket, int code, String reason) {
        watches.remove(socket);
        mock.onClosing(socket, code, reason);
      }

      @Override
      public void onClosed(WebSocket socket, int code, String reason) {
        watches.remove(socket);
        mock.onClosed(socket, code, reason);
      }

      @Override
      public void onFailure(WebSocket socket, Throwable t, Response response) {
        watches.remove(socket);
        mock.onFailure(socket, t, response);
      }
    };
  }

  // ---- helpers ----

  private MockResponse locked(Supplier<MockResponse> write) {
    rw.writeLock().lock();
    try {
      return write.get();
    } finally {
      rw.writeLock().unlock();
    }
  }

  private static boolean strict(ApiPath p) {
    return "Strict".equals(p.query().get("fieldValidation"));
  }

  /** The field manager: the fieldManager parameter, else the User-Agent's product name. */
  private static String manager(ApiPath p, RecordedRequest request) {
    String m = p.query().get("fieldManager");
    if (m != null && !m.isBlank()) {
      return m;
    }
    String agent = request == null ? null : request.getHeader("User-Agent");
    if (agent == null || agent.isBlank()) {
      return "unknown";
    }
    return agent.split("/")[0].trim();
  }

  private static ObjectNode body(RecordedRequest request) {
    JsonNode node = parse(request.getBody().readUtf8());
    if (!(node instanceof ObjectNode o)) {
      throw ApiException.badRequest("the request body is not an object");
    }
    return o;
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(
          "the request body is not valid JSON: " + e.getOriginalMessage());
    }
  }

  private static void setOrRemove(ObjectNode object, String field, JsonNode value) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      object.remove(field);
    } else {
      object.set(field, value.deepCopy());
    }
  }

  private static RecordedRequest request(HttpMethod method, String path, JsonNode body) {
    return new RecordedRequest(
        "HTTP/1.1",
        method,
        path,
        Headers.builder().add("Content-Type", "application/json").build(),
        new Buffer(body.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(body);
  }
}
