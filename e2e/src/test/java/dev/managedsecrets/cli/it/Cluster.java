package dev.managedsecrets.cli.it;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.cli.Cli;
import dev.managedsecrets.cli.Cli.Result;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.command.EmbeddedCommand;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.endpoint.SecretsManagerEndpoint;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The embedded API server with the real operator running against it, in this JVM, its re-seal
 * endpoint behind the API server's service proxy (as embedded mode serves it), and a kubeconfig for
 * the plugin. Account 123456789012, region local, partition k8s. The operator's clock is the tests'
 * to move (a sealing key's renewal).
 */
final class Cluster implements AutoCloseable {

  static final String ACCOUNT = "123456789012";
  static final String ARN_PREFIX = "arn:k8s:secretsmanager:local:" + ACCOUNT + ":secret:";

  final EmbeddedApiServer api;
  final OperatorRuntime operator;
  final OperatorConfig config;
  final MutableClock clock;
  final Path dir;
  final Path kubeconfig;
  private final AutoCloseable reseal;

  private Cluster(
      EmbeddedApiServer api,
      OperatorRuntime operator,
      OperatorConfig config,
      MutableClock clock,
      AutoCloseable reseal,
      Path dir,
      Path kubeconfig) {
    this.api = api;
    this.operator = operator;
    this.config = config;
    this.clock = clock;
    this.reseal = reseal;
    this.dir = dir;
    this.kubeconfig = kubeconfig;
  }

  static Cluster start(String... namespaces) {
    return start(Map.of(), namespaces);
  }

  /**
   * As {@link #start(String...)}, with the operator's Secrets Manager endpoint on 127.0.0.1 (plain
   * HTTP, any port) behind the Service managedsecret-operator-endpoint, port http, as embedded mode
   * serves it.
   */
  static Cluster startWithEndpoint(String... namespaces) {
    Cluster cluster =
        start(
            Map.of(
                "MANAGEDSECRET_ENDPOINT_ENABLED", "true",
                "MANAGEDSECRET_ENDPOINT_ADDRESS", "127.0.0.1",
                "MANAGEDSECRET_ENDPOINT_PORT", "0",
                "MANAGEDSECRET_ENDPOINT_TLS_MODE", "none"),
            namespaces);
    try {
      EmbeddedCommand.proxyEndpoint(cluster.api, cluster.config, cluster.endpoint());
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private static Cluster start(Map<String, String> environment, String... namespaces) {
    EmbeddedApiServer api = EmbeddedApiServer.start(0);
    OperatorRuntime operator = null;
    try {
      for (String ns : namespaces) {
        api.client()
            .namespaces()
            .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .create();
      }
      Map<String, String> env = new HashMap<>(environment);
      env.put("MANAGEDSECRET_ACCOUNT_ID", ACCOUNT);
      OperatorConfig config = OperatorConfig.load(null, env);
      MutableClock clock = new MutableClock();
      operator = OperatorRuntime.start(api.client(), config, new SimpleMeterRegistry(), clock);
      AutoCloseable reseal = EmbeddedCommand.serveReseal(api, operator, config);
      Path dir = Files.createTempDirectory("kubectl-managedsecret-it");
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
      return new Cluster(api, operator, config, clock, reseal, dir, kubeconfig);
    } catch (IOException e) {
      stop(operator, api);
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      stop(operator, api);
      throw e;
    }
  }

  private static void stop(OperatorRuntime operator, EmbeddedApiServer api) {
    if (operator != null) {
      operator.close();
    }
    api.close();
  }

  /** The plugin, run in this JVM against this cluster (its kubeconfig, no home directory). */
  Cli cli() {
    return new Cli(Map.of("KUBECONFIG", kubeconfig.toString(), "HOME", "/nonexistent"));
  }

  /** The operator's Secrets Manager endpoint (of {@link #startWithEndpoint}). */
  SecretsManagerEndpoint endpoint() {
    return operator.endpoint().orElseThrow();
  }

  KubernetesClient client() {
    return api.client();
  }

  /** A Role of this one rule in {@code namespace}, and its binding to {@code subject}. */
  void bind(String namespace, String name, Subject subject, PolicyRule rule) {
    client()
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .endMetadata()
                .withRules(rule)
                .build())
        .create();
    client()
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", name)
                .withSubjects(subject)
                .build())
        .create();
  }

  ManagedSecret managedSecret(String namespace, String name) {
    return client().resources(ManagedSecret.class).inNamespace(namespace).withName(name).get();
  }

  /**
   * Runs a program in its own process with this cluster's kubeconfig, {@code pathDir} first on the
   * PATH, and {@code stdin} (null: none) as its input.
   */
  Result exec(Path pathDir, String stdin, String... command) {
    return exec(Map.of(), pathDir, stdin, command);
  }

  /**
   * As {@link #exec(Path, String, String...)}, with none of the AWS_ variables of the tests' own
   * environment and with {@code environment} over the rest (e.g. another KUBECONFIG).
   */
  Result exec(Map<String, String> environment, Path pathDir, String stdin, String... command) {
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_"));
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("HOME", dir.toString());
    env.putAll(environment);
    if (pathDir != null) {
      env.put("PATH", pathDir + File.pathSeparator + System.getenv("PATH"));
    }
    try {
      Path out = Files.createTempFile(dir, "out", ".txt");
      Path err = Files.createTempFile(dir, "err", ".txt");
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      Process p = pb.start();
      try (OutputStream in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + List.of(command));
      }
      return new Result(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      reseal.close();
    } catch (Exception e) {
      // stopping anyway
    }
    stop(operator, api);
  }

  /**
   * The system's clock, which the tests move forward (e.g. past a sealing key's renewal interval):
   * it keeps ticking, so creation dates still tell what came first.
   */
  static final class MutableClock extends Clock {
    private volatile Duration ahead = Duration.ZERO;

    void advance(Duration by) {
      ahead = ahead.plus(by);
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(ahead);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
