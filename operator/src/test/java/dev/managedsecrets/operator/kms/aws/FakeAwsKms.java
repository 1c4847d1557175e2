package dev.managedsecrets.operator.kms.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.managedsecrets.core.crypto.Aead;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * AWS KMS's JSON protocol on 127.0.0.1, for the SDK to talk to: CreateKey, CreateAlias,
 * DescribeKey, ListAliases, GenerateDataKey and Decrypt with real cryptography, AWS's error shapes,
 * and every request recorded so the tests can check what the SDK sent. Errors can be injected.
 */
public final class FakeAwsKms implements AutoCloseable {

  public static final String ACCOUNT = "111122223333";
  public static final String REGION = "us-east-1";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as received. */
  public record Request(String method, String path, Map<String, String> headers, JsonNode body) {
    String target() {
      return headers.get("x-amz-target");
    }
  }

  private static final class Key {
    final String id;
    final byte[] secret = Aead.randomKey();
    volatile String state = "Enabled";

    Key(String id) {
      this.id = id;
    }

    String arn() {
      return "arn:aws:kms:" + REGION + ":" + ACCOUNT + ":key/" + id;
    }
  }

  private final HttpServer server;
  private final Map<String, Key> keys = new HashMap<>();
  private final Map<String, String> aliases = new TreeMap<>();
  private final Map<String, Deque<Answer>> faults = new HashMap<>();
  private final Map<String, Answer> constant = new HashMap<>();
  private final List<Hold> holds = new CopyOnWriteArrayList<>();
  final List<Request> requests = new CopyOnWriteArrayList<>();

  public FakeAwsKms() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * Sets the system properties that the AWS SDK's default credentials chain reads first (a test
   * key; no instance metadata service is ever asked) until the returned handle is closed, which
   * puts them back as they were.
   */
  public static AutoCloseable credentials(String accessKeyId, String secretAccessKey) {
    Map<String, String> saved = new HashMap<>();
    Map<String, String> set =
        Map.of(
            "aws.accessKeyId", accessKeyId,
            "aws.secretAccessKey", secretAccessKey,
            "aws.disableEc2Metadata", "true");
    set.forEach(
        (k, v) -> {
          saved.put(k, System.getProperty(k));
          System.setProperty(k, v);
        });
    return () ->
        saved.forEach(
            (k, v) -> {
              if (v == null) {
                System.clearProperty(k);
              } else {
                System.setProperty(k, v);
              }
            });
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The next request to this operation fails with AWS's error code (HTTP 400). */
  public synchronized void failNext(String operation, String errorCode) {
    faults
        .computeIfAbsent("TrentService." + operation, t -> new ArrayDeque<>())
        .add(error(errorCode, "Injected " + errorCode));
  }

  /**
   * Every request to this operation is answered HTTP 200 with this JSON body, whatever it is, until
   * the returned handle is closed: a KMS-compatible endpoint that misbehaves.
   */
  public synchronized AutoCloseable answerAlways(String operation, String json) throws IOException {
    String target = "TrentService." + operation;
    Answer answer = new Answer(200, JSON.readTree(json));
    constant.put(target, answer);
    return () -> {
      synchronized (this) {
        constant.remove(target, answer);
      }
    };
  }

  /**
   * Every request to this operation fails with AWS's error code and this HTTP status (500: an error
   * the SDK retries) until the returned handle is closed: a KMS that is down.
   */
  public synchronized AutoCloseable failAlways(String operation, String errorCode, int status) {
    String target = "TrentService." + operation;
    Answer answer = new Answer(status, error(errorCode, "Injected " + errorCode).body());
    constant.put(target, answer);
    return () -> {
      synchronized (this) {
        constant.remove(target, answer);
      }
    };
  }

  /**
   * A slow KMS: requests to this operation wait, unanswered, until the returned handle is closed;
   * then they are answered as usual. (The server answers one request at a time: the others wait
   * behind a held one.)
   */
  public Hold hold(String operation) {
    Hold hold = new Hold("TrentService." + operation);
    holds.add(hold);
    return hold;
  }

  /** Requests held by {@link #hold} until it is closed. */
  public final class Hold implements AutoCloseable {
    private final String target;
    private final java.util.concurrent.CountDownLatch released =
        new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicInteger held =
        new java.util.concurrent.atomic.AtomicInteger();

    private Hold(String target) {
      this.target = target;
    }

    /** How many requests have been held so far. */
    public int held() {
      return held.get();
    }

    private void await(Request request) throws InterruptedException {
      if (target.equals(request.target())) {
        held.incrementAndGet();
        released.await();
      }
    }

    @Override
    public void close() {
      holds.remove(this);
      released.countDown();
    }
  }

  /** Sets the state of the AWS key an alias points at (Enabled, Disabled, PendingDeletion). */
  synchronized void setState(String alias, String state) {
    keys.get(aliases.get(alias)).state = state;
  }

  /** Makes an AWS key with this alias, as an administrator would. */
  synchronized String createKeyWithAlias(String alias) {
    Key key = new Key(UUID.randomUUID().toString());
    keys.put(key.id, key);
    aliases.put(alias, key.id);
    return key.arn();
  }

  synchronized List<String> aliasNames() {
    return new ArrayList<>(aliases.keySet());
  }

  public List<Request> requests(String operation) {
    return requests.stream().filter(r -> ("TrentService." + operation).equals(r.target())).toList();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] raw = exchange.getRequestBody().readAllBytes();
      Map<String, String> headers = new LinkedHashMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
      JsonNode body = raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
      Request request =
          new Request(
              exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body);
      requests.add(request);
      for (Hold hold : holds) {
        try {
          hold.await(request);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      Answer answer;
      synchronized (this) {
        answer = answer(request);
      }
      byte[] out = answer.body == null ? new byte[0] : JSON.writeValueAsBytes(answer.body);
      exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
      exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
      exchange.sendResponseHeaders(answer.status, out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        exchange.getResponseBody().write(out);
      }
    }
  }

  private record Answer(int status, JsonNode body) {}

  private static Answer error(String code, String message) {
    ObjectNode body = JSON.createObjectNode().put("__type", code).put("message", message);
    return new Answer(400, body);
  }

  private Answer answer(Request r) {
    String target = r.target();
    if (!"POST".equals(r.method()) || target == null || !target.startsWith("TrentService.")) {
      return error("UnknownOperationException", "Unknown operation");
    }
    Deque<Answer> fault = faults.get(target);
    if (fault != null && !fault.isEmpty()) {
      return fault.poll();
    }
    if (constant.containsKey(target)) {
      return constant.get(target);
    }
    JsonNode b = r.body();
    return switch (target.substring("TrentService.".length())) {
      case "CreateKey" -> createKey(b);
      case "CreateAlias" -> createAlias(b);
      case "DescribeKey" -> describeKey(b);
      case "ListAliases" -> listAliases(b);
      case "GenerateDataKey" -> generateDataKey(b);
      case "Decrypt" -> decrypt(b);
      default -> error("UnknownOperationException", "Unknown operation " + target);
    };
  }

  private Answer createKey(JsonNode b) {
    Key key = new Key(UUID.randomUUID().toString());
    keys.put(key.id, key);
    return new Answer(200, JSON.createObjectNode().set("KeyMetadata", metadata(key)));
  }

  private Answer createAlias(JsonNode b) {
    String alias = b.path("AliasName").asText();
    if (aliases.containsKey(alias)) {
      return error("AlreadyExistsException", "An alias with the name " + alias + " already exists");
    }
    Key key = find(b.path("TargetKeyId").asText());
    if (key == null) {
      return error("NotFoundException", "Key not found");
    }
    aliases.put(alias, key.id);
    return new Answer(200, null);
  }

  private Answer describeKey(JsonNode b) {
    Key key = find(b.path("KeyId").asText());
    if (key == null) {
      return error(
          "NotFoundException", "Alias or key " + b.path("KeyId").asText() + " is not found.");
    }
    return new Answer(200, JSON.createObjectNode().set("KeyMetadata", metadata(key)));
  }

  private Answer listAliases(JsonNode b) {
    List<Map.Entry<String, String>> all = new ArrayList<>(aliases.entrySet());
    int from = b.has("Marker") ? Integer.parseInt(b.get("Marker").asText()) : 0;
    int limit = b.path("Limit").asInt(50);
    int to = Math.min(all.size(), from + Math.min(limit, 2)); // small pages: the paginator is used
    ArrayNode list = JSON.createArrayNode();
    for (var e : all.subList(from, to)) {
      list.addObject()
          .put("AliasName", e.getKey())
          .put("AliasArn", "arn:aws:kms:" + REGION + ":" + ACCOUNT + ":" + e.getKey())
          .put("TargetKeyId", e.getValue());
    }
    ObjectNode out = JSON.createObjectNode();
    out.set("Aliases", list);
    out.put("Truncated", to < all.size());
    if (to < all.size()) {
      out.put("NextMarker", Integer.toString(to));
    }
    return new Answer(200, out);
  }

  private Answer generateDataKey(JsonNode b) {
    if (!"AES_256".equals(b.path("KeySpec").asText())) {
      return error("ValidationException", "KeySpec must be AES_256 here");
    }
    Key key = find(b.path("KeyId").asText());
    if (key == null) {
      return error("NotFoundException", "Alias " + b.path("KeyId").asText() + " is not found.");
    }
    Answer refused = refusedByState(key);
    if (refused != null) {
      return refused;
    }
    byte[] plaintext = Aead.randomKey();
    byte[] id = key.id.getBytes(StandardCharsets.UTF_8);
    byte[] sealed = Aead.encrypt(key.secret, plaintext, context(b));
    byte[] blob =
        ByteBuffer.allocate(1 + id.length + sealed.length)
            .put((byte) id.length)
            .put(id)
            .put(sealed)
            .array();
    return new Answer(
        200,
        JSON.createObjectNode()
            .put("CiphertextBlob", Base64.getEncoder().encodeToString(blob))
            .put("Plaintext", Base64.getEncoder().encodeToString(plaintext))
            .put("KeyId", key.arn()));
  }

  private Answer decrypt(JsonNode b) {
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(b.path("CiphertextBlob").asText());
    } catch (IllegalArgumentException e) {
      return error("SerializationException", "CiphertextBlob is not base64");
    }
    int idLength = blob.length == 0 ? 0 : Byte.toUnsignedInt(blob[0]);
    if (blob.length < 1 + idLength + 28) {
      return error("InvalidCiphertextException", null);
    }
    Key key = keys.get(new String(blob, 1, idLength, StandardCharsets.UTF_8));
    if (key == null) {
      return error("InvalidCiphertextException", null);
    }
    if (b.has("KeyId")) {
      Key named = find(b.get("KeyId").asText());
      if (named != key) {
        return error(
            "IncorrectKeyException",
            "The key ID in the request does not identify a KMS key that can perform this"
                + " operation.");
      }
    }
    Answer refused = refusedByState(key);
    if (refused != null) {
      return refused;
    }
    byte[] plaintext;
    try {
      byte[] sealed = new byte[blob.length - 1 - idLength];
      System.arraycopy(blob, 1 + idLength, sealed, 0, sealed.length);
      plaintext = Aead.decrypt(key.secret, sealed, context(b));
    } catch (GeneralSecurityException e) {
      return error("InvalidCiphertextException", null);
    }
    return new Answer(
        200,
        JSON.createObjectNode()
            .put("KeyId", key.arn())
            .put("Plaintext", Base64.getEncoder().encodeToString(plaintext))
            .put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT"));
  }

  private static Answer refusedByState(Key key) {
    return switch (key.state) {
      case "Disabled" -> error("DisabledException", key.arn() + " is disabled.");
      case "PendingDeletion" ->
          error("KMSInvalidStateException", key.arn() + " is pending deletion.");
      default -> null;
    };
  }

  private Key find(String reference) {
    String ref = reference;
    String arnPrefix = "arn:aws:kms:" + REGION + ":" + ACCOUNT + ":";
    if (ref.startsWith(arnPrefix)) {
      ref = ref.substring(arnPrefix.length());
      if (ref.startsWith("key/")) {
        ref = ref.substring("key/".length());
      }
    }
    if (ref.startsWith("alias/")) {
      String id = aliases.get(ref);
      return id == null ? null : keys.get(id);
    }
    return keys.get(ref);
  }

  /** The encryption context in a canonical form (sorted keys) as the associated data. */
  private static byte[] context(JsonNode body) {
    TreeMap<String, String> pairs = new TreeMap<>();
    body.path("EncryptionContext")
        .fields()
        .forEachRemaining(e -> pairs.put(e.getKey(), e.getValue().asText()));
    return pairs.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static ObjectNode metadata(Key key) {
    ObjectNode m = JSON.createObjectNode();
    m.put("AWSAccountId", ACCOUNT);
    m.put("KeyId", key.id);
    m.put("Arn", key.arn());
    m.put("CreationDate", 1.7e9);
    m.put("Enabled", "Enabled".equals(key.state));
    m.put("KeyUsage", "ENCRYPT_DECRYPT");
    m.put("KeyState", key.state);
    m.put("Origin", "AWS_KMS");
    m.put("KeyManager", "CUSTOMER");
    m.put("KeySpec", "SYMMETRIC_DEFAULT");
    m.putArray("EncryptionAlgorithms").add("SYMMETRIC_DEFAULT");
    return m;
  }
}
