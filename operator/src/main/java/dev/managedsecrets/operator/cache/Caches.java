package dev.managedsecrets.operator.cache;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import dev.managedsecrets.core.projection.Projection;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * What the operator's informer caches keep, and how compactly. The API server adds
 * metadata.managedFields (one entry per writer, listing every field it set) to every object;
 * nothing in the operator reads them, and they can be the larger part of a small object: caches
 * drop them as objects arrive. A write from a cached object then carries no managedFields, which
 * the API server reads as "unchanged". And every object arrives with its own copies of the same
 * strings (label and annotation keys, the operator's label value, namespaces, condition types and
 * reasons, the default key's ARN): caches keep one shared copy of each instead, and one shared
 * empty map for the unknown fields of every object that has none.
 */
public final class Caches {

  private Caches() {}

  /** An item store that keeps objects compact: no managedFields, shared repeated strings. */
  public static <R extends HasMetadata> ItemStore<R> compact() {
    return new Store<>(UnaryOperator.identity());
  }

  /** As {@link #compact()}, after {@code prune} has kept only what a cache needs of an object. */
  public static <R extends HasMetadata> ItemStore<R> compactAfter(UnaryOperator<R> prune) {
    return new Store<>(prune);
  }

  /** The informer's store: objects by namespace/name, each made compact as it arrives. */
  private static final class Store<R extends HasMetadata> implements ItemStore<R> {
    private final Map<String, R> objects = new ConcurrentHashMap<>();
    private final UnaryOperator<R> prune;

    Store(UnaryOperator<R> prune) {
      this.prune = prune;
    }

    @Override
    public String getKey(R object) {
      // One copy of "namespace/name" for the stores and indexes of the informers (a ManagedSecret
      // and its Secret usually share it) and for a ManagedSecret's status.name.
      return shared(Cache.metaNamespaceKeyFunc(object));
    }

    @Override
    public R put(String key, R object) {
      return objects.put(key, Caches.compact(prune.apply(object)));
    }

    @Override
    public R remove(String key) {
      return objects.remove(key);
    }

    @Override
    public Stream<String> keySet() {
      return objects.keySet().stream();
    }

    @Override
    public Stream<R> values() {
      return objects.values().stream();
    }

    @Override
    public R get(String key) {
      return objects.get(key);
    }

    @Override
    public int size() {
      return objects.size();
    }

    @Override
    public boolean isFullState() {
      return false;
    }
  }

  static <R extends HasMetadata> R compact(R object) {
    ObjectMeta meta = object.getMetadata();
    meta.setManagedFields(null);
    meta.setAdditionalProperties(noExtras(meta.getAdditionalProperties()));
    meta.setName(shared(meta.getName()));
    meta.setNamespace(shared(meta.getNamespace()));
    // The same uid, resourceVersion and version id reach several caches (a ManagedSecret's uid is
    // also its Secret's owner reference; its current version id is in its status and on its
    // Secret).
    meta.setUid(shared(meta.getUid()));
    meta.setResourceVersion(shared(meta.getResourceVersion()));
    meta.setLabels(sharedKeysAndValues(meta.getLabels()));
    meta.setAnnotations(sharedKeys(meta.getAnnotations(), Projection.VERSION_ANNOTATION));
    meta.setCreationTimestamp(shared(meta.getCreationTimestamp()));
    meta.setFinalizers(sharedList(meta.getFinalizers()));
    if (meta.getOwnerReferences() != null) {
      for (OwnerReference r : meta.getOwnerReferences()) {
        r.setApiVersion(shared(r.getApiVersion()));
        r.setKind(shared(r.getKind()));
        r.setName(shared(r.getName()));
        r.setUid(shared(r.getUid()));
        r.setAdditionalProperties(noExtras(r.getAdditionalProperties()));
      }
      meta.setOwnerReferences(List.copyOf(meta.getOwnerReferences()));
    }
    if (object instanceof CustomResource<?, ?> resource) {
      shareComputedNames(resource);
    } else {
      object.setApiVersion(shared(object.getApiVersion()));
    }
    if (object instanceof Secret secret) {
      secret.setKind(shared(secret.getKind()));
      secret.setType(shared(secret.getType()));
      secret.setStringData(noStrings(secret.getStringData()));
      secret.setAdditionalProperties(noExtras(secret.getAdditionalProperties()));
      secret.setData(sharedKeys(secret.getData()));
    } else if (object instanceof ManagedSecret ms) {
      if (ms.getSpec() != null) {
        ms.getSpec().data = sharedKeys(ms.getSpec().data);
      }
      ManagedSecretStatus status = ms.getStatus();
      if (status != null) {
        status.name = shared(status.name);
        status.kmsKeyId = shared(status.kmsKeyId);
        status.versionId = shared(status.versionId);
        status.createdDate = shared(status.createdDate);
        status.lastChangedDate = shared(status.lastChangedDate);
        if (status.versionIdsToStages != null) {
          Map<String, List<String>> stages = new HashMap<>();
          status.versionIdsToStages.forEach(
              (v, labels) -> stages.put(shared(v), sharedList(labels)));
          status.versionIdsToStages = stages.containsValue(null) ? stages : Map.copyOf(stages);
        }
        if (status.conditions != null) {
          for (Condition c : status.conditions) {
            c.setType(shared(c.getType()));
            c.setStatus(shared(c.getStatus()));
            c.setReason(shared(c.getReason()));
            c.setLastTransitionTime(shared(c.getLastTransitionTime()));
            c.setAdditionalProperties(noExtras(c.getAdditionalProperties()));
          }
          status.conditions = List.copyOf(status.conditions);
        }
      }
    }
    return object;
  }

  /**
   * Every fabric8 model object carries a map of the fields its class does not know, nearly always
   * empty, each its own map (56 bytes): an empty one is replaced by one shared read-only map.
   */
  private static Map<String, Object> noExtras(Map<String, Object> extras) {
    return extras == null || extras.isEmpty() ? Map.of() : extras;
  }

  /**
   * fabric8's CustomResource computes its apiVersion and CRD name anew for every object, into final
   * fields without a setter: the same two strings per ManagedSecret, about 150 bytes. They are
   * replaced by one shared copy of each (the same value: nothing reads them differently).
   */
  private static final List<Field> COMPUTED_NAMES = computedNames();

  private static List<Field> computedNames() {
    try {
      Field apiVersion = CustomResource.class.getDeclaredField("apiVersion");
      Field crdName = CustomResource.class.getDeclaredField("crdName");
      apiVersion.setAccessible(true);
      crdName.setAccessible(true);
      return List.of(apiVersion, crdName);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return List.of(); // another fabric8: each object keeps its own copies
    }
  }

  private static void shareComputedNames(CustomResource<?, ?> resource) {
    try {
      for (Field f : COMPUTED_NAMES) {
        f.set(resource, shared((String) f.get(resource)));
      }
    } catch (IllegalAccessException e) {
      // not shared: the object keeps its own copies
    }
  }

  /** A Secret read from the API server has no stringData (it is write-only): no map for it. */
  private static Map<String, String> noStrings(Map<String, String> stringData) {
    return stringData == null || stringData.isEmpty() ? Map.of() : stringData;
  }

  private static String shared(String s) {
    return s == null ? null : s.intern();
  }

  /**
   * The same short lists recur in every object (a ManagedSecret's finalizer, a version's staging
   * labels): up to {@link #MAX_LISTS} of them are kept once and shared. A bound, since tenants
   * write these lists; past it a list is kept as it is.
   */
  static final int MAX_LISTS = 256;

  private static final Map<List<String>, List<String>> LISTS = new ConcurrentHashMap<>();

  private static List<String> sharedList(List<String> list) {
    if (list == null || list.stream().anyMatch(Objects::isNull)) {
      return list;
    }
    List<String> kept = LISTS.get(list);
    if (kept != null) {
      return kept;
    }
    List<String> out = list.stream().map(Caches::shared).toList();
    if (out.size() <= 4 && LISTS.size() < MAX_LISTS) {
      kept = LISTS.putIfAbsent(out, out);
      return kept == null ? out : kept;
    }
    return out;
  }

  /**
   * The map with shared keys (and the values of {@code sharedValues}), as a compact read-only map
   * (the cache never changes it).
   */
  private static Map<String, String> sharedKeys(Map<String, String> map, String... sharedValues) {
    if (map == null) {
      return null;
    }
    List<String> valuesShared = List.of(sharedValues);
    Map<String, String> out = new HashMap<>(Math.max(2, (int) (map.size() / 0.75f) + 1));
    map.forEach((k, v) -> out.put(shared(k), valuesShared.contains(k) ? shared(v) : v));
    return out.containsValue(null) ? out : Map.copyOf(out);
  }

  /** The map with shared keys and values, as a compact read-only map. */
  private static Map<String, String> sharedKeysAndValues(Map<String, String> map) {
    if (map == null) {
      return null;
    }
    Map<String, String> out = new HashMap<>(Math.max(2, (int) (map.size() / 0.75f) + 1));
    map.forEach((k, v) -> out.put(shared(k), shared(v)));
    return out.containsValue(null) ? out : Map.copyOf(out);
  }
}
