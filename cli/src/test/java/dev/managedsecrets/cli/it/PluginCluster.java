package dev.managedsecrets.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.cli.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** An API server with the CRDs and no operator, and the plugin with a kubeconfig of it. */
final class PluginCluster implements AutoCloseable {

  final EmbeddedApiServer api;
  final Cli cli;

  private PluginCluster(EmbeddedApiServer api, Cli cli) {
    this.api = api;
    this.cli = cli;
  }

  static PluginCluster start(String name) throws IOException {
    EmbeddedApiServer api = EmbeddedApiServer.start(0);
    Path dir = Files.createTempDirectory(name);
    Path kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
    return new PluginCluster(
        api, new Cli(Map.of("KUBECONFIG", kubeconfig.toString(), "HOME", dir.toString())));
  }

  /** The ManagedSecret {@code default/<name>}, or null. */
  ManagedSecret get(String name) {
    return api.client().resources(ManagedSecret.class).inNamespace("default").withName(name).get();
  }

  /** What a run that succeeded printed. */
  static JsonNode json(Cli.Result r) throws IOException {
    assertThat(r.code()).as(r.toString()).isZero();
    return new ObjectMapper().readTree(r.out());
  }

  @Override
  public void close() {
    api.close();
  }
}
