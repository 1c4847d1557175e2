package dev.managedsecrets.operator.chart;

import com.marcnuri.helm.Helm;
import dev.managedsecrets.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Renders the chart with embedded Helm (helm-java: Helm's own Go code, offline), as {@code helm
 * template managedsecret-operator helm/managedsecret-operator -n managedsecret-system} would.
 */
public final class Chart {

  public static final String RELEASE = "managedsecret-operator";
  public static final String NAMESPACE = "managedsecret-system";

  /** The Kubernetes version rendered for (helm-java's default, 1.20, is below kubeVersion). */
  public static final String KUBE_VERSION = "v1.32.0";

  private Chart() {}

  /**
   * Renders the templates with the chart's defaults and these values (YAML), as {@code helm
   * template} does: without the CRDs of crds/, which Helm installs apart (see {@link #crds}).
   */
  public static Manifests render(String valuesYaml) {
    return Manifests.parse(template(valuesYaml));
  }

  /**
   * The CRDs Helm installs before the templates, and never upgrades or deletes: each file of crds/
   * one document, as {@code helm install} reads them. ({@code helm show crds} of Helm 3 joins the
   * files without a document separator, helm/helm#11261: piped to kubectl, that text is one
   * document, the last CRD; see {@link #showCrds}.)
   */
  public static Manifests crds() {
    StringBuilder yaml = new StringBuilder();
    for (Path file : crdFiles()) {
      try {
        yaml.append("---\n").append(Files.readString(file));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return Manifests.parse(yaml.toString());
  }

  /** The files of crds/ that Helm reads as CRDs (.yaml, .yml, .json), in Helm's order. */
  public static List<Path> crdFiles() {
    try (Stream<Path> files = Files.list(Repo.chart().resolve("crds"))) {
      return files
          .filter(f -> f.getFileName().toString().matches(".*\\.(yaml|yml|json)"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code helm show crds}: the text of the CRD files, as embedded Helm prints it. */
  public static String showCrds() {
    return new Helm(Repo.chart()).show().crds().call();
  }

  /** The operator's configuration as the chart renders it into its ConfigMap, loaded. */
  public static OperatorConfig operatorConfig(Manifests manifests) {
    return operatorConfig(manifests, Map.of());
  }

  /** The configuration the chart renders, as the environment variables {@code env} override it. */
  public static OperatorConfig operatorConfig(Manifests manifests, Map<String, String> env) {
    ConfigMap map = manifests.get("ConfigMap", RELEASE + "-config", ConfigMap.class);
    try {
      Path file = Files.createTempFile("config-", ".yaml");
      try {
        Files.writeString(file, map.getData().get("config.yaml"));
        return OperatorConfig.load(file, env);
      } finally {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Renders to text; Helm's own error (schema, template {@code fail}) surfaces as an exception. */
  public static String template(String valuesYaml) {
    Path values = null;
    try {
      values = Files.createTempFile("values-", ".yaml");
      Files.writeString(values, valuesYaml);
      return new Helm(Repo.chart())
          .template()
          .withName(RELEASE)
          .withNamespace(NAMESPACE)
          .withKubeVersion(KUBE_VERSION)
          .withValuesFile(values)
          .call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (values != null) {
        try {
          Files.deleteIfExists(values);
        } catch (IOException e) {
          // a temp file: nothing to do
        }
      }
    }
  }
}
