package dev.managedsecrets.cli.kube;

import dev.managedsecrets.cli.CliException;
import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The cluster, found as kubectl finds it: {@code --kubeconfig}, else the files of {@code
 * KUBECONFIG} (merged, the first file's entries winning), else {@code ~/.kube/config}, else the
 * pod's service account; {@code --context} or the current context; {@code --namespace}, else the
 * context's namespace, else {@code default}.
 */
public final class Kube implements AutoCloseable {

  public static final String USER_AGENT = "kubectl-managedsecret/" + version();

  private final KubernetesClient client;
  private final String namespace;

  private Kube(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  public KubernetesClient client() {
    return client;
  }

  public String namespace() {
    return namespace;
  }

  /** What the plugin was told: the global options and the environment. */
  public record Settings(
      String kubeconfig, String context, String namespace, Map<String, String> env) {}

  public static Kube connect(Settings settings) {
    Config config = config(settings);
    config.setUserAgent(USER_AGENT);
    // A CLI answers or fails quickly: no long retry loops against an unreachable server.
    config.setRequestRetryBackoffLimit(1);
    config.setRequestRetryBackoffInterval(200);
    config.setConnectionTimeout(10_000);
    config.setRequestTimeout(30_000);
    if (config.getMasterUrl() != null && config.getMasterUrl().startsWith("http:")) {
      // Plain HTTP: the JDK client would try an h2c upgrade, which some servers never answer.
      config.setHttp2Disable(true);
    }
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    return new Kube(client, config.getNamespace());
  }

  /** The namespace alone, without connecting: for --dry-run. */
  public static String namespace(Settings settings) {
    if (settings.namespace() != null && !settings.namespace().isBlank()) {
      return settings.namespace();
    }
    return config(settings).getNamespace();
  }

  static Config config(Settings s) {
    List<Path> files = files(s);
    if (files.isEmpty()) {
      if (s.env().get("KUBERNETES_SERVICE_HOST") != null) {
        Config inCluster = Config.autoConfigure(null);
        if (s.namespace() != null && !s.namespace().isBlank()) {
          inCluster.setNamespace(s.namespace());
        }
        return inCluster;
      }
      throw new CliException(
          CliException.CONFIGURATION,
          "error: no configuration has been provided: set KUBECONFIG, pass --kubeconfig, or create"
              + " ~/.kube/config");
    }
    io.fabric8.kubernetes.api.model.Config merged = merge(files);
    String context = s.context() != null ? s.context() : merged.getCurrentContext();
    if (context == null || context.isBlank()) {
      throw new CliException(
          CliException.CONFIGURATION,
          "error: current-context is not set in " + files + ": pass --context");
    }
    NamedContext named =
        merged.getContexts().stream()
            .filter(c -> context.equals(c.getName()))
            .findFirst()
            .orElseThrow(
                () ->
                    new CliException(
                        CliException.CONFIGURATION,
                        "error: context \"" + context + "\" does not exist"));
    merged.setCurrentContext(context);
    Config config;
    try {
      config =
          Config.fromKubeconfig(
              context, Serialization.asYaml(merged), files.get(0).toAbsolutePath().toString());
    } catch (RuntimeException e) {
      throw new CliException(
          CliException.CONFIGURATION,
          "error: could not use context \"" + context + "\": " + rootMessage(e),
          e);
    }
    String namespace = s.namespace();
    if (namespace == null || namespace.isBlank()) {
      namespace = named.getContext() == null ? null : named.getContext().getNamespace();
    }
    config.setNamespace(namespace == null || namespace.isBlank() ? "default" : namespace);
    return config;
  }

  /** The kubeconfig files to read, in kubectl's order of precedence. */
  static List<Path> files(Settings s) {
    if (s.kubeconfig() != null) {
      Path file = Path.of(s.kubeconfig());
      if (!Files.exists(file)) {
        throw new CliException(
            CliException.CONFIGURATION,
            "error: stat " + s.kubeconfig() + ": no such file or directory");
      }
      return List.of(file);
    }
    String variable = s.env().get("KUBECONFIG");
    if (variable != null && !variable.isBlank()) {
      List<Path> files = new ArrayList<>();
      for (String part : variable.split(File.pathSeparator)) {
        if (!part.isBlank() && Files.exists(Path.of(part))) {
          files.add(Path.of(part));
        }
      }
      if (files.isEmpty()) {
        throw new CliException(
            CliException.CONFIGURATION, "error: KUBECONFIG names no file that exists: " + variable);
      }
      return files;
    }
    String home = s.env().getOrDefault("HOME", System.getProperty("user.home"));
    Path standard = Path.of(home, ".kube", "config");
    return Files.exists(standard) ? List.of(standard) : List.of();
  }

  private static io.fabric8.kubernetes.api.model.Config merge(List<Path> files) {
    io.fabric8.kubernetes.api.model.Config merged = null;
    Map<String, NamedContext> contexts = new LinkedHashMap<>();
    Map<String, NamedCluster> clusters = new LinkedHashMap<>();
    Map<String, NamedAuthInfo> users = new LinkedHashMap<>();
    for (Path file : files) {
      io.fabric8.kubernetes.api.model.Config one = read(file);
      if (merged == null) {
        merged = one;
      } else if ((merged.getCurrentContext() == null || merged.getCurrentContext().isBlank())
          && one.getCurrentContext() != null) {
        merged.setCurrentContext(one.getCurrentContext());
      }
      putFirst(contexts, one.getContexts(), NamedContext::getName);
      putFirst(clusters, one.getClusters(), NamedCluster::getName);
      putFirst(users, one.getUsers(), NamedAuthInfo::getName);
    }
    merged.setContexts(new ArrayList<>(contexts.values()));
    merged.setClusters(new ArrayList<>(clusters.values()));
    merged.setUsers(new ArrayList<>(users.values()));
    return merged;
  }

  private static <T> void putFirst(Map<String, T> into, List<T> items, Function<T, String> name) {
    if (items != null) {
      for (T item : items) {
        if (name.apply(item) != null) {
          into.putIfAbsent(name.apply(item), item);
        }
      }
    }
  }

  private static io.fabric8.kubernetes.api.model.Config read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliException(
          CliException.CONFIGURATION,
          "error: error loading config file \"" + file + "\": " + describe(e),
          e);
    }
    try {
      io.fabric8.kubernetes.api.model.Config config =
          Serialization.unmarshal(text, io.fabric8.kubernetes.api.model.Config.class);
      if (config == null) {
        throw new IllegalArgumentException("the file is empty");
      }
      if (config.getContexts() == null) {
        config.setContexts(new ArrayList<>());
      }
      return config;
    } catch (RuntimeException e) {
      throw new CliException(
          CliException.CONFIGURATION,
          "error: error loading config file \"" + file + "\": " + rootMessage(e),
          e);
    }
  }

  private static String describe(IOException e) {
    String kind = e.getClass().getSimpleName();
    return switch (kind) {
      case "AccessDeniedException" -> "permission denied";
      case "NoSuchFileException" -> "no such file or directory";
      default ->
          e.getMessage() != null && e.getMessage().contains("Is a directory")
              ? "is a directory"
              : kind + (e.getMessage() == null ? "" : ": " + e.getMessage());
    };
  }

  public static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int line = m.indexOf('\n');
    return line > 0 ? m.substring(0, line) : m;
  }

  private static String version() {
    String v = Kube.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public void close() {
    client.close();
  }
}
