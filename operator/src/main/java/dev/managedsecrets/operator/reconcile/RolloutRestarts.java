package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.RolloutRestartTarget;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.util.List;

/**
 * Restarts the workloads of {@code spec.target.rolloutRestart} once per new AWSCURRENT version, the
 * way {@code kubectl rollout restart} does: a strategic merge patch of the pod template's
 * annotation {@value #RESTARTED_AT}, the time now in RFC 3339. It runs after the projected Secret
 * holds the version. The version restarted for is remembered in {@code
 * status.restartedForVersionId}, written with the reconcile's status after the patches: a crash in
 * between restarts once more, never zero times. The first version a ManagedSecret projects (or the
 * one it holds when rolloutRestart is added) restarts nothing: the workloads read it when they
 * start. A workload that is missing, or that the operator may not patch, gets a Warning Event
 * {@value #FAILED} and is not tried again for the same version; the value itself is fine, so Ready
 * stays True. Any other failure of the API server fails the reconcile (retried with back-off).
 */
final class RolloutRestarts {

  static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
  static final String FAILED = "RolloutRestartFailed";

  private final EventRecorder events;
  private final Clock clock;

  RolloutRestarts(EventRecorder events, Clock clock) {
    this.events = events;
    this.clock = clock;
  }

  /**
   * Restarts the workloads if {@code versionId}, the version the projected Secret holds now, is not
   * the one they were restarted for; returns what {@code status.restartedForVersionId} is to hold:
   * null when the ManagedSecret names no workloads or holds no version.
   */
  String restart(ManagedSecret ms, KubernetesClient client, String versionId) {
    List<RolloutRestartTarget> targets =
        ms.getSpec().target == null ? null : ms.getSpec().target.rolloutRestart;
    if (targets == null || targets.isEmpty() || versionId == null) {
      return null;
    }
    String before = ms.getStatus() == null ? null : ms.getStatus().restartedForVersionId;
    if (before == null || versionId.equals(before)) {
      return versionId; // the first version, or already restarted for
    }
    // RFC 3339 with the clock's fraction of a second: two versions within one second still make
    // two different templates, so two rollouts.
    String now = clock.instant().toString();
    String patch =
        "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\""
            + RESTARTED_AT
            + "\":\""
            + now
            + "\"}}}}}";
    String namespace = ms.getMetadata().getNamespace();
    for (RolloutRestartTarget target : targets) {
      List<String> names;
      if (target.name != null) {
        names = List.of(target.name);
      } else {
        try {
          names =
              workloads(client, target.kind)
                  .inNamespace(namespace)
                  .withLabels(target.selector.matchLabels)
                  .list()
                  .getItems()
                  .stream()
                  .map(w -> w.getMetadata().getName())
                  .toList();
        } catch (KubernetesClientException e) {
          warnOrThrow(ms, e, "list " + target.kind + "s", versionId);
          continue;
        }
        if (names.isEmpty()) {
          events.warning(
              ms,
              FAILED,
              "No "
                  + target.kind
                  + " matches the selector of target.rolloutRestart: nothing restarted for version "
                  + versionId
                  + ".");
        }
      }
      for (String name : names) {
        try {
          // The object as its name gives it: patched with no read before.
          client
              .resource(named(target.kind, namespace, name))
              .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
          events.normal(
              ms,
              EventReason.RolloutRestarted,
              "Restarted " + target.kind + " " + name + " for version " + versionId);
        } catch (KubernetesClientException e) {
          warnOrThrow(ms, e, "restart " + target.kind + " " + name, versionId);
        }
      }
    }
    return versionId;
  }

  /**
   * A missing workload (404) or a refusal (403) is reported and left: the Secret holds the value.
   */
  private void warnOrThrow(
      ManagedSecret ms, KubernetesClientException e, String what, String versionId) {
    String why =
        switch (e.getCode()) {
          case 404 -> "it does not exist.";
          case 403 ->
              "the operator may not (install the chart with rbac.rolloutRestart=true,"
                  + " which grants list and patch on deployments, statefulsets and daemonsets).";
          default -> throw e;
        };
    events.warning(
        ms,
        FAILED,
        "Could not "
            + what
            + " for version "
            + versionId
            + ": "
            + why
            + " The Secret holds the version and Ready is unaffected; the next new version tries"
            + " again.");
  }

  /** A workload as its name alone gives it, for a patch. */
  private static HasMetadata named(String kind, String namespace, String name) {
    ObjectMeta meta = new ObjectMetaBuilder().withNamespace(namespace).withName(name).build();
    return switch (kind) {
      case "Deployment" -> new DeploymentBuilder().withMetadata(meta).build();
      case "StatefulSet" -> new StatefulSetBuilder().withMetadata(meta).build();
      case "DaemonSet" -> new DaemonSetBuilder().withMetadata(meta).build();
      default -> throw new IllegalArgumentException("Not a workload kind: " + kind);
    };
  }

  private static MixedOperation<
          ? extends HasMetadata,
          ? extends KubernetesResourceList<? extends HasMetadata>,
          ? extends Resource<? extends HasMetadata>>
      workloads(KubernetesClient client, String kind) {
    return switch (kind) {
      case "Deployment" -> client.apps().deployments();
      case "StatefulSet" -> client.apps().statefulSets();
      case "DaemonSet" -> client.apps().daemonSets();
      default -> throw new IllegalArgumentException("Not a workload kind: " + kind);
    };
  }
}
