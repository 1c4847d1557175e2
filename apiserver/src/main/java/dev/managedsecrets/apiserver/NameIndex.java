package dev.managedsecrets.apiserver;

import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.Value;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys of the mock's store by object name, so that finding one object does not scan the whole
 * store. fabric8's CRUD mock keeps objects in one map keyed by attribute sets and answers every
 * lookup by testing each key; with tens of thousands of objects that made each request cost
 * milliseconds. Objects with the same name are few, so a lookup by name tests only those.
 *
 * <p>The index follows the store's writes ({@link #moved}), made under the store's lock. It gives
 * exactly the answer of a scan: the first key with this name that matches the query, and whose
 * object is still stored.
 */
final class NameIndex {

  private final Map<String, Set<AttributeSet>> byName = new ConcurrentHashMap<>();

  /** An object's key changed: {@code from} (null on create) to {@code to} (null on delete). */
  void moved(AttributeSet from, AttributeSet to) {
    if (from != null) {
      String name = nameOf(from);
      if (name != null) {
        byName.computeIfPresent(
            name,
            (n, keys) -> {
              keys.remove(from);
              return keys.isEmpty() ? null : keys;
            });
      }
    }
    if (to != null) {
      String name = nameOf(to);
      if (name != null) {
        byName.computeIfAbsent(name, n -> ConcurrentHashMap.newKeySet()).add(to);
      }
    }
  }

  /**
   * The stored entry whose key matches {@code query}, which must name an object; null when none
   * does.
   */
  Map.Entry<AttributeSet, String> find(AttributeSet query, Map<AttributeSet, String> store) {
    String name = nameOf(query);
    if (name == null) {
      throw new IllegalArgumentException("a lookup by name needs a name");
    }
    Set<AttributeSet> keys = byName.get(name);
    if (keys == null) {
      return null;
    }
    for (AttributeSet key : keys) {
      if (key.matches(query)) {
        String value = store.get(key);
        if (value != null) {
          return new AbstractMap.SimpleImmutableEntry<>(key, value);
        }
      }
    }
    return null;
  }

  void clear() {
    byName.clear();
  }

  /** The value of the key's name attribute, or null when it has none (or several). */
  static String nameOf(AttributeSet set) {
    Attribute a = set.getAttribute(KubernetesAttributesExtractor.NAME);
    if (a == null || a.getValues().size() != 1) {
      return null;
    }
    Value v = a.getValues().get(0);
    return v.toString();
  }
}
