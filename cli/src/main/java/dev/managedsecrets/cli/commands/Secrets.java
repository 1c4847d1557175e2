package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.ServiceException;
import dev.managedsecrets.cli.aws.Responses;
import dev.managedsecrets.cli.kube.Kube;
import dev.managedsecrets.cli.output.Json;
import dev.managedsecrets.core.names.Names;
import dev.managedsecrets.core.secret.SecretIds;
import dev.managedsecrets.core.secret.SecretsManagerException;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The ManagedSecrets of one namespace: found by Secrets Manager name or ARN, changed with JSON
 * merge patches (only the fields a command sets, guarded by resourceVersion: fields this plugin
 * does not know are never dropped), and waited for until the operator reports on them.
 */
final class Secrets {

  private static final Set<String> TERMINAL =
      Set.of(
          "ValidationException",
          "InvalidParameterException",
          "InvalidRequestException",
          "ResourceExistsException",
          "ResourceNotFoundException",
          "LimitExceededException",
          "AccessDeniedException",
          "MalformedPolicyDocumentException",
          "PublicPolicyException");

  private final Kube kube;

  Secrets(Kube kube) {
    this.kube = kube;
  }

  String namespace() {
    return kube.namespace();
  }

  Kube kube() {
    return kube;
  }

  MixedOperation<ManagedSecret, KubernetesResourceList<ManagedSecret>, Resource<ManagedSecret>>
      api() {
    return kube.client().resources(ManagedSecret.class);
  }

  Resource<ManagedSecret> resource(String name) {
    return api().inNamespace(namespace()).withName(name);
  }

  /** The Secret the ManagedSecret projects its value into; null when there is none. */
  Secret projected(ManagedSecret ms) {
    return kube.client().secrets().inNamespace(namespace()).withName(Names.targetName(ms)).get();
  }

  /** The ManagedSecrets of the namespace, oldest first. */
  List<ManagedSecret> list() {
    return api().inNamespace(namespace()).list().getItems().stream().sorted(OLDEST_FIRST).toList();
  }

  /** By the stored secret's CreatedDate (milliseconds), else the object's creation (seconds). */
  static final Comparator<ManagedSecret> OLDEST_FIRST =
      Comparator.comparing(Secrets::created).thenComparing(ms -> ms.getMetadata().getName());

  private static Instant created(ManagedSecret ms) {
    if (ms.getStatus() != null && ms.getStatus().createdDate != null) {
      return Instant.parse(ms.getStatus().createdDate);
    }
    String t = ms.getMetadata().getCreationTimestamp();
    return t == null ? Instant.MAX : Instant.parse(t);
  }

  /**
   * The ManagedSecret a SecretId names: its ARN, its name, or its ARN without the six-character
   * suffix. Of two with one name, the older holds it (as the operator decides); one that is being
   * deleted comes after one that is not.
   */
  Optional<ManagedSecret> find(String secretId) {
    try {
      SecretIds.require(secretId);
    } catch (SecretsManagerException e) {
      throw ServiceException.of(e);
    }
    return list().stream()
        .filter(ms -> matches(ms, secretId))
        .min(
            Comparator.comparing((ManagedSecret ms) -> deleting(ms) ? 1 : 0)
                .thenComparing(OLDEST_FIRST));
  }

  /** As {@link #find}, or AWS's ResourceNotFoundException. */
  ManagedSecret require(String secretId) {
    return find(secretId).orElseThrow(ServiceException::notFound);
  }

  /** As {@link #require}, and refused as AWS refuses a secret scheduled for deletion. */
  ManagedSecret requireLive(String secretId) {
    ManagedSecret ms = require(secretId);
    if (deleting(ms)) {
      throw ServiceException.markedForDeletion();
    }
    return ms;
  }

  static boolean matches(ManagedSecret ms, String id) {
    String arn = Responses.arn(ms);
    if (arn != null && arn.equals(id)) {
      return true;
    }
    if (Responses.name(ms).equals(id)) {
      return true;
    }
    return arn != null
        && id.startsWith("arn:")
        && arn.startsWith(id + "-")
        && arn.length() == id.length() + 7;
  }

  static boolean deleting(ManagedSecret ms) {
    return ms.getMetadata().getDeletionTimestamp() != null;
  }

  /**
   * Applies a merge patch to the spec, computed from the latest object; retried when someone else
   * changed the object in between (HTTP 409).
   */
  ManagedSecret patchSpec(ManagedSecret ms, Function<ManagedSecret, ObjectNode> specPatch) {
    return patchSpec(ms, specPatch, Map.of());
  }

  /**
   * As {@link #patchSpec(ManagedSecret, Function)}, with {@code annotations} set in the same patch
   * ({@code specPatch} may answer null: annotations only).
   */
  ManagedSecret patchSpec(
      ManagedSecret ms,
      Function<ManagedSecret, ObjectNode> specPatch,
      Map<String, String> annotations) {
    ManagedSecret latest = ms;
    for (int attempt = 1; ; attempt++) {
      ObjectNode patch = Json.object();
      ObjectNode metadata = patch.putObject("metadata");
      metadata.put("resourceVersion", latest.getMetadata().getResourceVersion());
      if (!annotations.isEmpty()) {
        ObjectNode a = metadata.putObject("annotations");
        annotations.forEach(a::put);
      }
      ObjectNode spec = specPatch.apply(latest);
      if (spec != null) {
        patch.set("spec", spec);
      }
      try {
        return resource(latest.getMetadata().getName())
            .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 5) {
          throw e;
        }
        latest = resource(latest.getMetadata().getName()).get();
        if (latest == null) {
          throw ServiceException.notFound();
        }
      }
    }
  }

  /**
   * Waits until the operator has reconciled {@code generation} of the ManagedSecret and it is
   * Ready; a terminal error (Stalled) ends the wait at once with the condition's reason and
   * message.
   */
  ManagedSecret awaitReady(String name, long generation, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    ManagedSecret last = null;
    long pause = 50;
    while (true) {
      ManagedSecret ms = resource(name).get();
      if (ms == null) {
        throw ServiceException.notFound();
      }
      last = ms;
      if (reconciled(ms, generation)) {
        Condition ready = condition(ms, "Ready");
        if (ready != null && "True".equals(ready.getStatus())) {
          return ms;
        }
        if (ready != null && "False".equals(ready.getStatus()) && terminal(ms, ready)) {
          throw new ServiceException(ready.getReason(), ready.getMessage());
        }
      }
      if (Instant.now().isAfter(deadline)) {
        break;
      }
      sleep(pause);
      pause = Math.min(500, pause * 2);
    }
    Condition ready = reconciled(last, generation) ? condition(last, "Ready") : null;
    if (ready != null && "False".equals(ready.getStatus()) && ready.getReason() != null) {
      throw new ServiceException(ready.getReason(), ready.getMessage());
    }
    throw new CliException(
        CliException.GENERAL,
        "Waiter ManagedSecretReady failed: ManagedSecret "
            + name
            + " in namespace "
            + namespace()
            + " was not reconciled within "
            + timeout.toSeconds()
            + "s. Is the operator running? (--no-wait returns without waiting)");
  }

  /** Waits until the ManagedSecret is gone: the operator's finalizer ran. */
  void awaitGone(String name, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    long pause = 50;
    while (resource(name).get() != null) {
      if (Instant.now().isAfter(deadline)) {
        throw new CliException(
            CliException.GENERAL,
            "Waiter ManagedSecretDeleted failed: ManagedSecret "
                + name
                + " in namespace "
                + namespace()
                + " still exists after "
                + timeout.toSeconds()
                + "s: the operator has not removed its finalizer. Is the operator running?");
      }
      sleep(pause);
      pause = Math.min(500, pause * 2);
    }
  }

  private static boolean reconciled(ManagedSecret ms, long generation) {
    return ms.getStatus() != null
        && ms.getStatus().observedGeneration != null
        && ms.getStatus().observedGeneration >= generation;
  }

  private static boolean terminal(ManagedSecret ms, Condition ready) {
    Condition stalled = condition(ms, "Stalled");
    return (stalled != null && "True".equals(stalled.getStatus()))
        || TERMINAL.contains(ready.getReason());
  }

  static Condition condition(ManagedSecret ms, String type) {
    if (ms.getStatus() == null || ms.getStatus().conditions == null) {
      return null;
    }
    return ms.getStatus().conditions.stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(CliException.GENERAL, "Interrupted while waiting");
    }
  }
}
