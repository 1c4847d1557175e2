package dev.managedsecrets.operator.apiclient;

import dev.managedsecrets.operator.config.OperatorConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Builds every Kubernetes client the operator uses for itself: each with a {@link TokenBucket} of
 * its own ({@code api.qps}, {@code api.burst}) that every request it sends takes a token from.
 */
public final class ApiClients {

  /** The {@code client} tag of the operator's own client. */
  public static final String OPERATOR = "operator";

  /** The {@code client} tag of the Secrets Manager endpoint's client. */
  public static final String ENDPOINT = "endpoint";

  private ApiClients() {}

  /**
   * A client on {@code config} whose requests are held to {@code api}'s rate.
   *
   * @param name the client's {@code client} tag in the rate limit's metrics: {@link #OPERATOR},
   *     {@link #ENDPOINT}, or {@link #peer(String)}
   */
  public static KubernetesClient build(
      Config config, OperatorConfig.ApiSettings api, MeterRegistry registry, String name) {
    return build(
        config,
        RateLimitInterceptor.of(
            new TokenBucket(api.qps(), api.burst(), System::nanoTime), registry, name));
  }

  /** A client on {@code config} whose every request passes {@code limiter} first. */
  static KubernetesClient build(Config config, RateLimitInterceptor limiter) {
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientBuilderConsumer(
            b -> b.addOrReplaceInterceptor(RateLimitInterceptor.NAME, limiter))
        .build();
  }

  /** The {@code client} tag of a peer region's client. */
  public static String peer(String region) {
    return "peer-" + region;
  }
}
