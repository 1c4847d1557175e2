package dev.managedsecrets.operator.namespaces;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Namespace uids, read with {@code get} on the Namespace object: the chart grants it cluster-wide,
 * or, with {@code watchNamespaces}, through the RoleBinding in each watched namespace (the API
 * server authorizes {@code GET /api/v1/namespaces/NAME} as a request in namespace NAME, so a
 * RoleBinding there grants reading that one Namespace object and no other).
 *
 * <p>What an object's namespace incarnation is never changes, so it is kept per object uid until
 * the object is deleted: a namespace deleted and made again under the same name gives its new
 * objects new uids, which are read afresh. A cache by namespace name could hand the old
 * incarnation's uid to the new incarnation's objects.
 */
public final class NamespaceUids implements NamespaceIncarnations {

  private final KubernetesClient client;
  private final Map<String, String> byObjectUid = new ConcurrentHashMap<>();

  public NamespaceUids(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public String of(HasMetadata live) {
    String objectUid = live.getMetadata().getUid();
    String cached = objectUid == null ? null : byObjectUid.get(objectUid);
    if (cached != null) {
      return cached;
    }
    String namespace = live.getMetadata().getNamespace();
    String uid = current(namespace);
    if (uid == null) {
      throw new SecretsManagerException(
          AwsError.INTERNAL_SERVICE_ERROR, "Namespace " + namespace + " was not found; retrying.");
    }
    if (objectUid != null) {
      // One copy of each uid: the object's is the informer cache's (the object given here is a
      // copy), and a namespace's, read afresh for each object, is shared by all its objects.
      byObjectUid.put(objectUid.intern(), uid.intern());
    }
    return uid;
  }

  @Override
  public String current(String namespace) {
    Namespace found;
    try {
      found = client.namespaces().withName(namespace).get();
    } catch (KubernetesClientException e) {
      throw new SecretsManagerException(
          AwsError.INTERNAL_SERVICE_ERROR,
          "Could not read namespace "
              + namespace
              + " (the Kubernetes API answered "
              + e.getCode()
              + "); retrying.",
          e);
    }
    return found == null ? null : found.getMetadata().getUid();
  }

  @Override
  public void forget(HasMetadata deleted) {
    String objectUid = deleted.getMetadata().getUid();
    if (objectUid != null) {
      byObjectUid.remove(objectUid);
    }
  }
}
