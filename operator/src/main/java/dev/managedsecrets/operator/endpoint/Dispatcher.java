package dev.managedsecrets.operator.endpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call of the protocol, in AWS's order: the signature, the operation ({@code X-Amz-Target:
 * secretsmanager.<Operation>}), the JSON body, then the operation itself; every outcome is an
 * answer in AWS's shape and one audit record.
 */
final class Dispatcher implements HttpFront.Handler {

  /** An answer: HTTP status, JSON body and its content type. */
  record Answer(int status, byte[] body, String errorType, String requestId, String contentType) {

    Answer(int status, byte[] body, String errorType, String requestId) {
      this(status, body, errorType, requestId, HttpFront.CONTENT_TYPE);
    }
  }

  /** Where the container credential provider asks for a pod's credentials. */
  static final String CREDENTIALS_PATH = "/v1/credentials";

  /** Where the kubectl plugin calls an operation with a ServiceAccount token (see tokenCall). */
  static final String CALL_PATH = "/v1/call";

  static final String TARGET_PREFIX = "secretsmanager.";
  private static final Pattern OPERATION = Pattern.compile("[A-Za-z]{1,64}");
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

  private final SigV4 sigv4;
  private final Map<String, Operation> operations;
  private final PodCredentials pods;
  private final AuditLog audit;
  private final Clock clock;

  Dispatcher(
      SigV4 sigv4,
      Map<String, Operation> operations,
      PodCredentials pods,
      AuditLog audit,
      Clock clock) {
    this.sigv4 = sigv4;
    this.operations = Map.copyOf(operations);
    this.pods = pods;
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  public Answer handle(HttpCall call) {
    if (CREDENTIALS_PATH.equals(call.rawPath())
        && ("GET".equals(call.method()) || "POST".equals(call.method()))) {
      return credentials(call);
    }
    if (CALL_PATH.equals(call.rawPath())) {
      return tokenCall(call);
    }
    String operation = operation(call.first("X-Amz-Target"));
    return run(
        call,
        operation,
        () -> {
          AccessKeys.AccessKey key = sigv4.verify(call);
          return new Caller(
              key.principal(), key.accessKeyId(), call.sourceIp(), call.first("User-Agent"));
        },
        () -> {
          if (!"POST".equals(call.method())) {
            throw unknown(operation);
          }
          return Input.parse(call.body());
        });
  }

  /**
   * A call of the kubectl plugin through the API server's service proxy, which consumes the
   * Authorization header (so no signature can pass it): {@code POST /v1/call} with the JSON body
   * {@code {"token": <a ServiceAccount token for the endpoint's audience>, "operation":
   * <Operation>, "request": {...}}}. The token is reviewed as for {@code /v1/credentials}; the call
   * then runs as that ServiceAccount exactly as a signed call of the operation does: the same
   * operation, the same RBAC, the same answer and one audit record. The token is never recorded.
   */
  private Answer tokenCall(HttpCall call) {
    Input envelope;
    String operation;
    try {
      if (!"POST".equals(call.method())) {
        throw unknown(null);
      }
      envelope = Input.parse(call.body());
      String named = envelope.string("operation");
      operation = named != null && OPERATION.matcher(named).matches() ? named : null;
    } catch (AwsException e) {
      return refuse(call, e);
    }
    return run(
        call,
        operation,
        () -> {
          PodCredentials.Issued issued =
              pods == null
                  ? new PodCredentials.Issued(403, null, null)
                  : pods.issue(envelope.string("token"));
          if (issued.principal() == null && issued.status() >= 500) {
            throw AwsException.internal(); // the review failed: the caller may try again
          }
          if (issued.principal() == null) {
            throw new AwsException(
                "UnrecognizedClientException",
                400,
                issued.body() == null
                    ? "This endpoint does not take ServiceAccount tokens."
                    : issued.body().path("Message").asText("The token was not accepted."));
          }
          return new Caller(
              issued.principal(),
              issued.body().path("AccessKeyId").asText(),
              call.sourceIp(),
              call.first("User-Agent"));
        },
        () -> {
          Input request = envelope.structure("request");
          return request == null ? Input.of(Output.object()) : request;
        });
  }

  /** Who calls, found before anything else of the call is read. */
  private interface CallerCheck {
    Caller caller();
  }

  /** The operation's input, read once the caller is known. */
  private interface InputRead {
    Input input();
  }

  /** One call: the caller, the operation, its input, the operation itself, an audit record. */
  private Answer run(HttpCall call, String operation, CallerCheck check, InputRead read) {
    String requestId = RequestIds.next();
    String userAgent = call.first("User-Agent");
    Caller caller = null;
    Input input = null;
    AwsException error;
    try {
      caller = check.caller();
      Operation op = operation == null ? null : operations.get(operation);
      if (op == null) {
        throw unknown(operation);
      }
      input = read.input();
      ObjectNode result = op.run(caller, input);
      audit(requestId, operation, caller, call, userAgent, input, null);
      return new Answer(200, Output.JSON.writeValueAsBytes(result), null, requestId);
    } catch (AwsException e) {
      error = e;
    } catch (SecretsManagerException e) {
      error = AwsException.of(e);
    } catch (JsonProcessingException | RuntimeException e) {
      LOG.warn(
          "Secrets Manager call {} ({}) failed: {}",
          requestId,
          operation,
          e.getClass().getSimpleName());
      error = AwsException.internal();
    }
    audit(requestId, operation, caller, call, userAgent, input, error);
    return error(error, requestId);
  }

  private static AwsException unknown(String operation) {
    return new AwsException(
        "UnknownOperationException",
        400,
        "The operation "
            + (operation == null ? "named by X-Amz-Target" : operation)
            + " is not an operation of Secrets Manager.");
  }

  /**
   * A pod's credentials for its projected ServiceAccount token, recorded as
   * AssumeRoleForPodIdentity; the token is never recorded. The token comes in the Authorization
   * header of a GET (the container credential provider's request), or as the member {@code token}
   * of a POST's JSON body: the API server's service proxy consumes the Authorization header, so
   * {@code kubectl managedsecret credentials} sends it there.
   */
  private Answer credentials(HttpCall call) {
    String requestId = RequestIds.next();
    PodCredentials.Issued issued =
        pods.issue("POST".equals(call.method()) ? bodyToken(call) : call.first("Authorization"));
    Caller caller =
        issued.principal() == null
            ? null
            : new Caller(
                issued.principal(),
                issued.body().path("AccessKeyId").asText(),
                call.sourceIp(),
                call.first("User-Agent"));
    AwsException error =
        issued.status() == 200
            ? null
            : new AwsException(
                issued.body().path("Code").asText(),
                issued.status(),
                issued.body().path("Message").asText());
    audit(
        requestId, "AssumeRoleForPodIdentity", caller, call, call.first("User-Agent"), null, error);
    return new Answer(
        issued.status(),
        issued.body().toString().getBytes(StandardCharsets.UTF_8),
        null,
        requestId,
        "application/json");
  }

  /** The member {@code token} of a POST's JSON body; null when the body has none. */
  private static String bodyToken(HttpCall call) {
    try {
      return Input.parse(call.body()).string("token");
    } catch (AwsException e) {
      return null;
    }
  }

  /** Refuses a call before anything of it is read but its headers (a body too large). */
  @Override
  public Answer refuse(HttpCall call, AwsException error) {
    String requestId = RequestIds.next();
    String userAgent = call.first("User-Agent");
    audit(requestId, operation(call.first("X-Amz-Target")), null, call, userAgent, null, error);
    return error(error, requestId);
  }

  private void audit(
      String requestId,
      String operation,
      Caller caller,
      HttpCall call,
      String userAgent,
      Input input,
      AwsException error) {
    audit.record(
        new AuditLog.Event(
            clock.instant(),
            requestId,
            operation,
            caller,
            call.sourceIp(),
            userAgent,
            input,
            error));
  }

  /** AWS's error body: {"__type": ..., "message": ...}. */
  static Answer error(AwsException e, String requestId) {
    ObjectNode body = Output.object();
    body.put("__type", e.type());
    body.put("message", e.getMessage());
    return new Answer(
        e.status(), body.toString().getBytes(StandardCharsets.UTF_8), e.type(), requestId);
  }

  /** The operation X-Amz-Target names, or null when it names none of this service. */
  static String operation(String target) {
    if (target == null || !target.startsWith(TARGET_PREFIX)) {
      return null;
    }
    String name = target.substring(TARGET_PREFIX.length());
    return OPERATION.matcher(name).matches() ? name : null;
  }
}
