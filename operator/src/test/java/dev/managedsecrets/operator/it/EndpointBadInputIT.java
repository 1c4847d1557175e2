package dev.managedsecrets.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.operator.endpoint.AccessKeys;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/**
 * Bad input, answered as AWS answers it and leaving nothing changed: unknown operations, malformed
 * and oversize bodies, every fault of a signature, a ServiceAccount without the grant, a name of
 * another namespace. Each call is also one audit record, without any value.
 */
class EndpointBadInputIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static TestCluster cluster;
  static AccessKeys.AccessKey admin;
  static SecretsManagerClient sm;
  static HttpClient http = HttpClient.newHttpClient();
  static ListAppender<ILoggingEvent> audit = new ListAppender<>();
  static StoreView store;

  @BeforeAll
  static void start() {
    cluster = EndpointClients.start();
    admin = EndpointClients.administrator(cluster);
    sm = EndpointClients.client(cluster, admin);
    store = new StoreView(cluster.client);
    sm.createSecret(r -> r.name("present").secretString("the-value"));
    EndpointSdkIT.object(cluster, "present");
    audit.start();
    ((Logger) LoggerFactory.getLogger("dev.managedsecrets.audit")).addAppender(audit);
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger("dev.managedsecrets.audit")).detachAppender(audit);
    sm.close();
    cluster.close();
  }

  @BeforeEach
  void forget() {
    cluster.drainRequests();
    audit.list.clear();
  }

  /** An answer: status and JSON body. */
  record Answer(int status, JsonNode body) {
    String type() {
      return body.path("__type").asText();
    }

    String message() {
      return body.path("message").asText();
    }
  }

  /** The writes the API server received since the last look, but reviews (which change nothing). */
  static List<String> changes() {
    return cluster.drainWrites().stream()
        .filter(w -> !w.endsWith("/subjectaccessreviews"))
        .toList();
  }

  /** What the store and the API server hold, to compare before and after. */
  static String state() {
    List<String> objects =
        cluster.client.resources(ManagedSecret.class).inAnyNamespace().list().getItems().stream()
            .map(ms -> ms.getMetadata().getNamespace() + "/" + ms.getMetadata().getName())
            .sorted()
            .toList();
    List<String> records =
        store.store().list().stream()
            .map(StoredSecret::toString)
            .sorted()
            .collect(Collectors.toList());
    return objects + " " + records;
  }

  /** Signs {@code body} for {@code target} with the key and sends it, changed by {@code tamper}. */
  static Answer call(
      String target,
      String body,
      AccessKeys.AccessKey key,
      Instant date,
      UnaryOperator<HttpRequest.Builder> tamper)
      throws Exception {
    URI uri = URI.create(EndpointClients.endpoint(cluster).url() + "/");
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    SdkHttpRequest unsigned =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(uri)
            .putHeader("Content-Type", "application/x-amz-json-1.1")
            .putHeader("X-Amz-Target", target)
            .build();
    SdkHttpRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(
                            AwsCredentialsIdentity.create(key.accessKeyId(), key.secretAccessKey()))
                        .request(unsigned)
                        .payload(ContentStreamProvider.fromByteArray(bytes))
                        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "secretsmanager")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, EndpointClients.REGION)
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(date, ZoneOffset.UTC)))
            .request();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
    signed
        .headers()
        .forEach(
            (name, values) -> {
              if (!name.equalsIgnoreCase("Host")) {
                values.forEach(v -> request.header(name, v));
              }
            });
    HttpResponse<String> response =
        http.send(tamper.apply(request).build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), JSON.readTree(response.body()));
  }

  static Answer call(String target, String body) throws Exception {
    return call(target, body, admin, Instant.now(), UnaryOperator.identity());
  }

  @Test
  void anUnknownOperationIsUnknownOperationException() throws Exception {
    String before = state();

    Answer answer = call("secretsmanager.DropEverything", "{}");
    Answer otherService = call("kms.Decrypt", "{}");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.type()).isEqualTo("UnknownOperationException");
    assertThat(otherService.type()).isEqualTo("UnknownOperationException");
    assertThat(state()).isEqualTo(before);
    assertThat(changes()).isEmpty();
  }

  @Test
  void malformedJsonIsSerializationException() throws Exception {
    String before = state();

    Answer broken = call("secretsmanager.CreateSecret", "{\"Name\": \"x\", ");
    Answer notAnObject = call("secretsmanager.CreateSecret", "[\"Name\"]");
    Answer wrongType = call("secretsmanager.CreateSecret", "{\"Name\": 42}");

    assertThat(List.of(broken, notAnObject, wrongType))
        .allSatisfy(
            a -> {
              assertThat(a.status()).isEqualTo(400);
              assertThat(a.type()).isEqualTo("SerializationException");
            });
    assertThat(state()).isEqualTo(before);
    assertThat(changes()).isEmpty();
  }

  @Test
  void anOversizeBodyIsRefusedBeforeItIsRead() throws Exception {
    String before = state();
    String huge = "{\"Name\":\"big\",\"SecretString\":\"" + "x".repeat(600 * 1024) + "\"}";

    Answer answer = call("secretsmanager.CreateSecret", huge);

    assertThat(answer.status()).isEqualTo(413);
    assertThat(answer.type()).isEqualTo("RequestEntityTooLargeException");
    assertThat(state()).isEqualTo(before);
    assertThat(changes()).isEmpty();
  }

  @Test
  void aSecretStringPastAwsBoundIsValidationException() throws Exception {
    String before = state();

    Answer answer =
        call(
            "secretsmanager.CreateSecret",
            "{\"Name\":\"long\",\"SecretString\":\"" + "x".repeat(65537) + "\"}");

    assertThat(answer.type()).isEqualTo("ValidationException");
    assertThat(answer.message())
        .isEqualTo(
            "1 validation error detected: Value at 'secretString' failed to satisfy constraint:"
                + " Member must have length between 1 and 65536");
    assertThat(state()).isEqualTo(before);
  }

  @Test
  void everyFaultOfASignatureIsRefusedWithAwsException() throws Exception {
    String before = state();
    String body = "{\"SecretId\":\"present\"}";
    String get = "secretsmanager.GetSecretValue";
    AccessKeys.AccessKey wrongSecret =
        new AccessKeys.AccessKey(admin.accessKeyId(), "x".repeat(40), admin.principal());
    AccessKeys.AccessKey unknown = AccessKeys.generate(admin.principal());

    Answer ok = call(get, body);
    // A read records its day (LastAccessedDate) once: the only change a call here may make.
    List<String> ofTheRead = changes();
    Answer stale = call(get, body, admin, Instant.now().minus(Duration.ofMinutes(16)), r -> r);
    Answer future = call(get, body, admin, Instant.now().plus(Duration.ofMinutes(16)), r -> r);
    Answer wrongKey = call(get, body, wrongSecret, Instant.now(), r -> r);
    Answer unknownKey = call(get, body, unknown, Instant.now(), r -> r);
    Answer altered =
        call(
            get,
            body,
            admin,
            Instant.now(),
            r -> r.POST(HttpRequest.BodyPublishers.ofString("{\"SecretId\":\"presenT\"}")));
    Answer retargeted =
        call(
            get,
            body,
            admin,
            Instant.now(),
            r -> r.setHeader("X-Amz-Target", "secretsmanager.DescribeSecret"));
    Answer noSignature =
        call(
            get,
            body,
            admin,
            Instant.now(),
            r ->
                r.setHeader(
                    "Authorization",
                    "AWS4-HMAC-SHA256 Credential="
                        + admin.accessKeyId()
                        + "/20240101/local/secretsmanager/aws4_request, SignedHeaders=host"));
    Answer emptyAuthorization =
        call(
            get, body, admin, Instant.now(), r -> r.setHeader("Authorization", "AWS4-HMAC-SHA256"));

    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.body().path("SecretString").asText()).isEqualTo("the-value");
    assertThat(stale.type()).isEqualTo("InvalidSignatureException");
    assertThat(stale.message()).startsWith("Signature expired: ").endsWith(" - 15 min.)");
    assertThat(future.type()).isEqualTo("InvalidSignatureException");
    assertThat(future.message()).startsWith("Signature not yet current: ");
    assertThat(List.of(wrongKey, altered, retargeted))
        .allSatisfy(
            a -> {
              assertThat(a.status()).isEqualTo(400);
              assertThat(a.type()).isEqualTo("InvalidSignatureException");
              assertThat(a.message())
                  .isEqualTo(
                      "The request signature we calculated does not match the signature you"
                          + " provided. Check your AWS Secret Access Key and signing method."
                          + " Consult the service documentation for details.");
            });
    assertThat(unknownKey.type()).isEqualTo("UnrecognizedClientException");
    assertThat(unknownKey.message())
        .isEqualTo("The security token included in the request is invalid.");
    assertThat(noSignature.type()).isEqualTo("IncompleteSignature");
    assertThat(noSignature.message())
        .startsWith("Authorization header requires 'Signature' parameter.");
    assertThat(emptyAuthorization.type()).isEqualTo("IncompleteSignature");
    assertThat(state()).isEqualTo(before);
    assertThat(changes()).isEmpty();
    assertThat(ofTheRead)
        .allMatch(
            w ->
                w.startsWith(
                    "PATCH /apis/managedsecrets.dev/v1alpha1/namespaces/default/managedsecrets/present-"))
        .hasSizeLessThanOrEqualTo(1);
  }

  @Test
  void aServiceAccountWithoutTheGrantIsDeniedWhetherTheSecretExistsOrNot() {
    AccessKeys.AccessKey app = EndpointClients.serviceAccount(cluster, "team-a", "app");
    EndpointClients.grant(
        cluster,
        "team-a",
        "app",
        "describe-only",
        List.of("managedsecrets"),
        "get",
        "list",
        "create");
    try (SecretsManagerClient appClient = EndpointClients.client(cluster, app)) {
      appClient.createSecret(r -> r.name("team/secret").secretString("team-value"));
      String before = state();

      SecretsManagerException existing =
          catchThrowableOfType(
              SecretsManagerException.class,
              () -> appClient.getSecretValue(r -> r.secretId("team/secret")));
      SecretsManagerException missing =
          catchThrowableOfType(
              SecretsManagerException.class,
              () -> appClient.getSecretValue(r -> r.secretId("team/nothing")));
      SecretsManagerException put =
          catchThrowableOfType(
              SecretsManagerException.class,
              () -> appClient.putSecretValue(r -> r.secretId("team/secret").secretString("x")));

      assertThat(existing.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
      assertThat(existing.awsErrorDetails().errorMessage())
          .isEqualTo(
              "User: system:serviceaccount:team-a:app is not authorized to perform:"
                  + " secretsmanager:GetSecretValue on resource: team/secret because no RBAC rule"
                  + " allows get on managedsecrets/value");
      assertThat(missing.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
      assertThat(missing.awsErrorDetails().errorMessage())
          .isEqualTo(
              existing.awsErrorDetails().errorMessage().replace("team/secret", "team/nothing"));
      assertThat(put.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
      assertThat(appClient.describeSecret(r -> r.secretId("team/secret")).name())
          .isEqualTo("team/secret");
      assertThat(state()).isEqualTo(before);
    }
  }

  @Test
  void aNameResolvesInTheCallersNamespaceOnly() {
    String before = state();
    AccessKeys.AccessKey other = EndpointClients.serviceAccount(cluster, "team-b", "reader");
    try (SecretsManagerClient b = EndpointClients.client(cluster, other)) {
      // "present" exists in default (the administrator's namespace), not in team-b: not found
      // for an administrator-like grant in team-b too.
      cluster
          .client
          .resource(
              new RoleBindingBuilder()
                  .withNewMetadata()
                  .withNamespace("team-b")
                  .withName("reader-admin")
                  .endMetadata()
                  .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                  .addNewSubject()
                  .withKind("ServiceAccount")
                  .withName("reader")
                  .withNamespace("team-b")
                  .endSubject()
                  .build())
          .create();

      ResourceNotFoundException byName =
          catchThrowableOfType(
              ResourceNotFoundException.class, () -> b.getSecretValue(r -> r.secretId("present")));
      String arn = sm.describeSecret(r -> r.secretId("present")).arn();
      SecretsManagerException byArn =
          catchThrowableOfType(
              SecretsManagerException.class, () -> b.getSecretValue(r -> r.secretId(arn)));

      // A partial ARN names a secret of the caller's namespace only: not found there, and RBAC
      // of team-b (not of every namespace) decides that it may be told so.
      ResourceNotFoundException byPartialArn =
          catchThrowableOfType(
              ResourceNotFoundException.class,
              () -> b.getSecretValue(r -> r.secretId(arn.substring(0, arn.length() - 7))));

      assertThat(byName.awsErrorDetails().errorMessage())
          .isEqualTo("Secrets Manager can't find the specified secret.");
      assertThat(byPartialArn).isNotNull();
      // By ARN it is found, and RBAC in default decides: no grant there.
      assertThat(byArn.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
    }
    assertThat(state()).isEqualTo(before);
  }

  @Test
  void everyCallIsOneAuditRecordWithoutAnyValue() throws Exception {
    sm.putSecretValue(r -> r.secretId("present").secretString("second-value"));
    sm.getSecretValue(r -> r.secretId("present"));
    catchThrowableOfType(
        ResourceNotFoundException.class, () -> sm.getSecretValue(r -> r.secretId("absent")));

    List<JsonNode> records = audit.list.stream().map(e -> read(e.getFormattedMessage())).toList();

    assertThat(records)
        .extracting(r -> r.path("eventName").asText())
        .containsExactly("PutSecretValue", "GetSecretValue", "GetSecretValue");
    assertThat(audit.list)
        .allSatisfy(
            e ->
                assertThat(e.getFormattedMessage())
                    .doesNotContain("second-value")
                    .doesNotContain("the-value")
                    .doesNotContain(admin.secretAccessKey()));
    JsonNode put = records.get(0);
    assertThat(put.path("requestParameters").has("SecretString")).isFalse();
    assertThat(put.path("requestParameters").path("SecretId").asText()).isEqualTo("present");
    assertThat(put.path("userIdentity").path("userName").asText())
        .isEqualTo("managedsecrets:endpoint-admin");
    assertThat(put.path("sourceIPAddress").asText()).isEqualTo("127.0.0.1");
    assertThat(put.path("eventTime").asText()).isNotEmpty();
    assertThat(put.has("errorCode")).isFalse();
    assertThat(records.get(2).path("errorCode").asText()).isEqualTo("ResourceNotFoundException");
    assertThat(records.get(1).path("readOnly").asBoolean()).isTrue();
  }

  private static JsonNode read(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
