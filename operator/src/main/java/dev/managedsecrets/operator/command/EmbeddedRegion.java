package dev.managedsecrets.operator.command;

import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.endpoint.SecretsManagerEndpoint;
import dev.managedsecrets.operator.replication.Replicas;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * One region of {@code embedded}: an in-memory API server and, once started, the operator against
 * it, with its re-seal endpoint and its Secrets Manager endpoint behind the chart's Services.
 * Stopping it stops the operator, then the API server.
 */
final class EmbeddedRegion {

  private final EmbeddedApiServer api;
  private OperatorRuntime runtime;
  private AutoCloseable reseal;

  /** Started --without-crds: the Services it makes are for the chart's release to adopt. */
  private final boolean adoptable;

  private EmbeddedRegion(EmbeddedApiServer api, boolean adoptable) {
    this.api = api;
    this.adoptable = adoptable;
  }

  /** Starts the region's API server on 127.0.0.1:{@code port} (0: any free port). */
  static EmbeddedRegion serve(int port) {
    return serve(port, true);
  }

  /**
   * Starts the region's API server on 127.0.0.1:{@code port}, with the CRDs and the operator's
   * namespace, or without them as a new cluster.
   */
  static EmbeddedRegion serve(int port, boolean crds) {
    EmbeddedApiServer.Options options = EmbeddedApiServer.options().port(port);
    return new EmbeddedRegion(
        EmbeddedApiServer.start(crds ? options : options.withoutCrds()), !crds);
  }

  /** Creates {@code namespace} unless it exists (an install may be creating it right now). */
  void createNamespace(String namespace) {
    try {
      api.client()
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
          .create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  EmbeddedApiServer api() {
    return api;
  }

  /** Starts the operator with {@code config}, and its re-seal endpoint. */
  void startOperator(OperatorConfig config) {
    runtime =
        OperatorRuntime.start(api.client(), config, new SimpleMeterRegistry(), Clock.systemUTC());
    reseal = EmbeddedCommand.serveReseal(api, runtime, config, adoptable);
  }

  /** Puts the started operator's Secrets Manager endpoint behind its Service; answers it. */
  SecretsManagerEndpoint serveEndpoint(OperatorConfig config) {
    SecretsManagerEndpoint endpoint = runtime.endpoint().orElseThrow();
    EmbeddedCommand.proxyEndpoint(api, config, endpoint, adoptable);
    return endpoint;
  }

  /** Labels {@code namespace} so that it receives replicas of other regions. */
  void acceptReplicas(String namespace) {
    api.client()
        .namespaces()
        .withName(namespace)
        .edit(
            n -> {
              Map<String, String> labels = new HashMap<>();
              if (n.getMetadata().getLabels() != null) {
                labels.putAll(n.getMetadata().getLabels());
              }
              labels.put(Replicas.ACCEPT, "true");
              n.getMetadata().setLabels(labels);
              return n;
            });
  }

  /**
   * Stores {@code kubeconfig}, a peer region's, as the Secret {@code name} of {@code namespace}
   * (data key {@value OperatorConfig.Peer#KUBECONFIG_KEY}), where the operator reads its peers.
   */
  void holdPeerKubeconfig(String namespace, String name, String kubeconfig) {
    api.client()
        .secrets()
        .inNamespace(namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withData(
                    Map.of(
                        OperatorConfig.Peer.KUBECONFIG_KEY,
                        Base64.getEncoder()
                            .encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8))))
                .build())
        .create();
  }

  /** Stops the re-seal endpoint and the operator, if started; the API server keeps serving. */
  void stopOperator() {
    if (reseal != null) {
      try {
        reseal.close();
      } catch (Exception e) {
        // stopping anyway
      }
      reseal = null;
    }
    if (runtime != null) {
      try {
        runtime.close();
      } catch (RuntimeException e) {
        // stopping anyway
      }
      runtime = null;
    }
  }

  /** Stops the operator, then the API server: its state is discarded. */
  void stop() {
    stopOperator();
    api.close();
  }
}
