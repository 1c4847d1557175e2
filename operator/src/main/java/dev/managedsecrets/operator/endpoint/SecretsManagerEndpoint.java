package dev.managedsecrets.operator.endpoint;

import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.value.ValueAssembler;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import dev.managedsecrets.operator.namespaces.NamespaceIncarnations;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Secrets Manager endpoint: AWS's wire protocol (JSON 1.1, {@code X-Amz-Target:
 * secretsmanager.<Operation>}) on its own port, so that the AWS CLI and SDKs work against the
 * operator. Each call is signed with SigV4 by a key the endpoint knows ({@link AccessKeys}),
 * authorised with a SubjectAccessReview as the key's principal, answered from the store and the
 * ManagedSecrets, and recorded in the audit log (docs/ENDPOINT.md).
 */
public final class SecretsManagerEndpoint implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SecretsManagerEndpoint.class);

  private final HttpFront front;
  private final AccessKeys keys;
  private final String host;
  private final KubernetesClient client;

  private SecretsManagerEndpoint(
      HttpFront front, AccessKeys keys, String host, KubernetesClient client) {
    this.front = front;
    this.keys = keys;
    this.host = host;
    this.client = client;
  }

  /** What the endpoint is served from, besides the configuration. */
  public record Backend(
      KubernetesClient client,
      SecretsManagerService secrets,
      Kms kms,
      ValueAssembler values,
      NamespaceIncarnations namespaces,
      ValueWritten written,
      ManagedSecretCache objectCache,
      Clock clock,
      MeterRegistry registry) {}

  /**
   * Starts the endpoint as {@code config.endpoint()} says, with no access key yet ({@link
   * #accessKeys()} takes them).
   *
   * @param account the 12-digit account of the operator's ARNs
   */
  public static SecretsManagerEndpoint start(
      OperatorConfig config, String account, Backend backend) {
    var endpoint = config.endpoint();
    AccessKeys keys = new AccessKeys();
    KubernetesClient client =
        ManagedSecretObjects.client(backend.client(), config.api(), backend.registry());
    Authorizer authorizer =
        new Authorizer(client, new AuthorizationCache(endpoint.authorizationCacheTtl()));
    ManagedSecretObjects objects = new ManagedSecretObjects(client);
    String arnPrefix =
        "arn:"
            + config.partition()
            + ":secretsmanager:"
            + config.region()
            + ":"
            + account
            + ":secret:";
    Lookup lookup =
        new Lookup(
            backend.secrets(),
            objects,
            backend.namespaces(),
            authorizer,
            arnPrefix,
            ClosedNamespaces.of(
                config.namespace(), config.allowOperatorNamespace(), config.watchNamespaces()));
    Services services =
        new Services(
            backend.secrets(),
            backend.kms(),
            backend.values(),
            lookup,
            lookup.forValueReads(backend.objectCache()),
            authorizer,
            objects,
            backend.namespaces(),
            backend.written(),
            new LastAccessed(objects, backend.clock()),
            config.regions(),
            backend.clock());
    ListOperations lists = new ListOperations(services);
    Map<String, Operation> operations = new HashMap<>();
    operations.putAll(new SecretWrites(services).operations());
    operations.putAll(new ValueOperations(services, lists).operations());
    operations.putAll(lists.operations());
    operations.putAll(new OtherOperations(services).operations());
    operations.putAll(new RotationOperations(services).operations());
    operations.putAll(new ReplicationOperations(services).operations());
    PodCredentials pods;
    try {
      pods =
          PodCredentials.open(
              client,
              config.namespace(),
              endpoint.credentialsSecret(),
              endpoint.credentialsKeyRotation(),
              endpoint.audience(),
              backend.clock());
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
    Dispatcher dispatcher =
        new Dispatcher(
            // A signature's date is checked against the wall clock, whatever clock the operator
            // keeps its dates with (which issues credentials, checks their expiry and rotates
            // keys).
            new SigV4(keys, pods, config.region(), Clock.systemUTC()),
            operations,
            pods,
            new AuditLog(config.region(), account),
            backend.clock());
    HttpFront front;
    try {
      SSLContext tls = EndpointTls.context(client, config.namespace(), endpoint, backend.clock());
      front = HttpFront.start(endpoint.address(), endpoint.port(), tls, dispatcher);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
    String host = endpoint.address().equals("0.0.0.0") ? "localhost" : endpoint.address();
    SecretsManagerEndpoint started = new SecretsManagerEndpoint(front, keys, host, client);
    LOG.info(
        "Serving the Secrets Manager endpoint on {} ({} operations; TLS {})",
        started.url(),
        operations.size(),
        endpoint.tls().mode());
    return started;
  }

  /** The access keys the endpoint accepts; add one to let its principal call. */
  public AccessKeys accessKeys() {
    return keys;
  }

  public int port() {
    return front.port();
  }

  /** The URL the endpoint answers on, e.g. http://127.0.0.1:8443. */
  public String url() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return front.scheme() + "://" + h + ":" + port();
  }

  @Override
  public void close() {
    front.close();
    client.close();
  }
}
