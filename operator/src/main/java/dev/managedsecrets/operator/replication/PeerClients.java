package dev.managedsecrets.operator.replication;

import dev.managedsecrets.operator.apiclient.ApiClients;
import dev.managedsecrets.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clients of the peer regions the configuration names: each another cluster, reached through
 * the kubeconfig in the Secret {@code kubeconfigSecret} (data key {@value #KUBECONFIG}) of the
 * operator's namespace. A client is made at its first use and kept; a kubeconfig that is missing or
 * that does not parse is reported by the call that needed it and looked for again at the next one.
 * Every call to a peer is bounded by {@code replication.requestTimeout} and not retried by the
 * client: the replication worker decides when to try again. Each peer's client has a rate limit of
 * its own, {@code api.qps} and {@code api.burst} as the operator's.
 */
public final class PeerClients implements AutoCloseable {

  /** The data key of a peer's kubeconfig Secret. */
  public static final String KUBECONFIG = "kubeconfig";

  /** A peer region: its operator's namespace, and a client of its cluster. */
  public record Peer(String region, String namespace, KubernetesClient client) {}

  /** A peer that cannot be used: its message names the region and what is missing. */
  public static final class PeerUnavailable extends RuntimeException {
    PeerUnavailable(String message) {
      super(message, null, false, false);
    }
  }

  private record Settings(String region, String secret, String namespace) {}

  private final KubernetesClient local;
  private final String operatorNamespace;
  private final Duration timeout;
  private final String userAgent;
  private final OperatorConfig.ApiSettings api;
  private final MeterRegistry registry;
  private final Map<String, Settings> settings = new LinkedHashMap<>();
  private final Map<String, Peer> peers = new ConcurrentHashMap<>();

  public PeerClients(KubernetesClient local, OperatorConfig config, MeterRegistry registry) {
    this.local = local;
    this.api = config.api();
    this.registry = registry;
    this.operatorNamespace = config.namespace();
    this.timeout = config.replication().requestTimeout();
    // The operator's own User-Agent, naming the region it replicates from: a peer's audit log (and
    // the tests of the replicator role) tell these requests from anyone else's.
    this.userAgent =
        local.getConfiguration().getUserAgent() + " replication from " + config.region();
    for (OperatorConfig.Peer p : config.replication().peers()) {
      settings.put(
          p.region(),
          new Settings(
              p.region(),
              p.kubeconfigSecret(),
              p.namespace() == null || p.namespace().isBlank()
                  ? config.namespace()
                  : p.namespace()));
    }
  }

  /** The regions configured as peers. */
  public Set<String> regions() {
    return settings.keySet();
  }

  public boolean configured(String region) {
    return settings.containsKey(region);
  }

  /**
   * The peer of {@code region}, its client made from its kubeconfig Secret at the first use.
   *
   * @throws PeerUnavailable when the region is no peer, or its kubeconfig is missing or unusable
   */
  public Peer peer(String region) {
    Peer known = peers.get(region);
    if (known != null) {
      return known;
    }
    Settings s = settings.get(region);
    if (s == null) {
      throw new PeerUnavailable(
          "Region " + region + " is not a peer region of this operator (replication.peers).");
    }
    return peers.computeIfAbsent(region, r -> new Peer(r, s.namespace(), client(s)));
  }

  private KubernetesClient client(Settings s) {
    Secret secret = local.secrets().inNamespace(operatorNamespace).withName(s.secret()).get();
    String encoded =
        Optional.ofNullable(secret)
            .map(Secret::getData)
            .map(d -> d.get(KUBECONFIG))
            .orElseThrow(
                () ->
                    new PeerUnavailable(
                        "The kubeconfig of region "
                            + s.region()
                            + " is missing: Secret "
                            + operatorNamespace
                            + "/"
                            + s.secret()
                            + " has no data key "
                            + KUBECONFIG
                            + "."));
    try {
      Config config =
          Config.fromKubeconfig(
              new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
      int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
      config.setRequestTimeout(millis);
      config.setConnectionTimeout(millis);
      config.setRequestRetryBackoffLimit(0);
      config.setUserAgent(userAgent);
      return ApiClients.build(config, api, registry, ApiClients.peer(s.region()));
    } catch (RuntimeException e) {
      throw new PeerUnavailable(
          "The kubeconfig of region "
              + s.region()
              + " in Secret "
              + operatorNamespace
              + "/"
              + s.secret()
              + " can't be used: "
              + e.getClass().getSimpleName()
              + ".");
    }
  }

  @Override
  public void close() {
    peers.values().forEach(p -> p.client().close());
    peers.clear();
  }
}
