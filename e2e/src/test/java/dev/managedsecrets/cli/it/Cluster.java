package dev.managedsecrets.cli.it;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * The embedded API server with the real operator running against it, in this JVM, and a kubeconfig
 * for the plugin. Account 123456789012, region local, partition k8s.
 */
final class Cluster implements AutoCloseable {

  static final String ACCOUNT = "123456789012";
  static final String ARN_PREFIX = "arn:k8s:secretsmanager:local:" + ACCOUNT + ":secret:";

  final EmbeddedApiServer api;
  final OperatorRuntime operator;
  final Path dir;
  final Path kubeconfig;

  private Cluster(EmbeddedApiServer api, OperatorRuntime operator, Path dir, Path kubeconfig) {
    this.api = api;
    this.operator = operator;
    this.dir = dir;
    this.kubeconfig = kubeconfig;
  }

  static Cluster start(String... namespaces) {
    EmbeddedApiServer api = EmbeddedApiServer.start(0);
    try {
      for (String ns : namespaces) {
        api.client()
            .namespaces()
            .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .create();
      }
      OperatorConfig config =
          OperatorConfig.load(null, Map.of("MANAGEDSECRET_ACCOUNT_ID", ACCOUNT));
      OperatorRuntime operator =
          OperatorRuntime.start(api.client(), config, new SimpleMeterRegistry(), Clock.systemUTC());
      Path dir = Files.createTempDirectory("kubectl-managedsecret-it");
      Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
      return new Cluster(api, operator, dir, kubeconfig);
    } catch (IOException e) {
      api.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      api.close();
      throw e;
    }
  }

  KubernetesClient client() {
    return api.client();
  }

  ManagedSecret managedSecret(String namespace, String name) {
    return client().resources(ManagedSecret.class).inNamespace(namespace).withName(name).get();
  }

  @Override
  public void close() {
    operator.close();
    api.close();
  }
}
