package dev.managedsecrets.core.sealing;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sealed values of a ManagedSecret's spec, each with the binding it must open under: the scope
 * the spec declares, the namespace and name of the object's metadata, and its field. Nothing of it
 * is taken from the sealed values themselves.
 *
 * @param items in a fixed order: sealedData by key, then the whole-value field
 */
public record SealedInputs(List<Item> items) {

  /**
   * One sealed value.
   *
   * @param what how messages name it: "sealed key 2 of 3" (sealedData, in key order: key names are
   *     part of the value, so never the name), "sealedSecretString", "sealedSecretBinary"
   */
  public record Item(SealingBinding binding, String text, String what) {
    /** Never the text nor the key's name. */
    @Override
    public String toString() {
      return "Item[" + what + "]";
    }
  }

  public SealedInputs {
    items = List.copyOf(items);
  }

  public static final SealedInputs NONE = new SealedInputs(List.of());

  /** The sealed values of the ManagedSecret's spec, bound to its metadata. */
  public static SealedInputs of(ManagedSecret ms) {
    ManagedSecretSpec spec = ms.getSpec();
    if (spec == null
        || (spec.sealedData == null
            && spec.sealedSecretString == null
            && spec.sealedSecretBinary == null)) {
      return NONE;
    }
    SealingScope scope = SealingScope.fromSpec(spec.sealedScope);
    String namespace = ms.getMetadata().getNamespace();
    String name = ms.getMetadata().getName();
    List<Item> items = new ArrayList<>();
    if (spec.sealedData != null) {
      int position = 0;
      Map<String, String> sorted = new TreeMap<>(spec.sealedData);
      for (Map.Entry<String, String> e : sorted.entrySet()) {
        position++;
        items.add(
            new Item(
                new SealingBinding(scope, namespace, name, SealingTarget.data(e.getKey())),
                e.getValue(),
                "sealed key " + position + " of " + sorted.size() + " (sealedData)"));
      }
    }
    if (spec.sealedSecretString != null) {
      items.add(
          new Item(
              new SealingBinding(scope, namespace, name, SealingTarget.secretString()),
              spec.sealedSecretString,
              "sealedSecretString"));
    }
    if (spec.sealedSecretBinary != null) {
      items.add(
          new Item(
              new SealingBinding(scope, namespace, name, SealingTarget.secretBinary()),
              spec.sealedSecretBinary,
              "sealedSecretBinary"));
    }
    return new SealedInputs(items);
  }

  public boolean isEmpty() {
    return items.isEmpty();
  }
}
