package dev.managedsecrets.operator.it;

import dev.managedsecrets.api.v1alpha1.RolloutRestartTarget;
import dev.managedsecrets.api.v1alpha1.TargetSpec;
import dev.managedsecrets.api.v1alpha1.WorkloadSelector;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;

/** Deployments, StatefulSets and DaemonSets for the tests of target.rolloutRestart. */
final class Workloads {

  static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

  private Workloads() {}

  static void deployment(
      KubernetesClient client, String ns, String name, Map<String, String> labels) {
    client
        .apps()
        .deployments()
        .inNamespace(ns)
        .resource(
            new DeploymentBuilder()
                .withMetadata(meta(name, labels))
                .withNewSpec()
                .withSelector(selector(name))
                .withTemplate(template(name))
                .endSpec()
                .build())
        .create();
  }

  static void statefulSet(
      KubernetesClient client, String ns, String name, Map<String, String> labels) {
    client
        .apps()
        .statefulSets()
        .inNamespace(ns)
        .resource(
            new StatefulSetBuilder()
                .withMetadata(meta(name, labels))
                .withNewSpec()
                .withServiceName(name)
                .withSelector(selector(name))
                .withTemplate(template(name))
                .endSpec()
                .build())
        .create();
  }

  static void daemonSet(
      KubernetesClient client, String ns, String name, Map<String, String> labels) {
    client
        .apps()
        .daemonSets()
        .inNamespace(ns)
        .resource(
            new DaemonSetBuilder()
                .withMetadata(meta(name, labels))
                .withNewSpec()
                .withSelector(selector(name))
                .withTemplate(template(name))
                .endSpec()
                .build())
        .create();
  }

  /** The pod template's restartedAt annotation of a workload, or null. */
  static String restartedAt(KubernetesClient client, String ns, String kind, String name) {
    var apps = client.apps();
    PodTemplateSpec template =
        switch (kind) {
          case "Deployment" ->
              apps.deployments().inNamespace(ns).withName(name).get().getSpec().getTemplate();
          case "StatefulSet" ->
              apps.statefulSets().inNamespace(ns).withName(name).get().getSpec().getTemplate();
          case "DaemonSet" ->
              apps.daemonSets().inNamespace(ns).withName(name).get().getSpec().getTemplate();
          default -> throw new IllegalArgumentException(kind);
        };
    Map<String, String> annotations = template.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(RESTARTED_AT);
  }

  /** A target that restarts these workloads. */
  static TargetSpec restarting(RolloutRestartTarget... targets) {
    TargetSpec target = new TargetSpec();
    target.rolloutRestart = List.of(targets);
    return target;
  }

  static RolloutRestartTarget named(String kind, String name) {
    return new RolloutRestartTarget(kind, name);
  }

  static RolloutRestartTarget selecting(String kind, Map<String, String> labels) {
    RolloutRestartTarget t = new RolloutRestartTarget();
    t.kind = kind;
    t.selector = new WorkloadSelector(labels);
    return t;
  }

  private static ObjectMeta meta(String name, Map<String, String> labels) {
    return new ObjectMetaBuilder().withName(name).withLabels(labels).build();
  }

  private static LabelSelector selector(String name) {
    return new LabelSelector(List.of(), Map.of("pod", name));
  }

  private static PodTemplateSpec template(String name) {
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(Map.of("pod", name))
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("app:1")
        .endContainer()
        .endSpec()
        .build();
  }
}
