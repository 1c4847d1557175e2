package dev.managedsecrets.operator.sealing;

import dev.managedsecrets.core.sealing.SealedInputs;
import dev.managedsecrets.core.sealing.SealedValue;
import dev.managedsecrets.core.sealing.SealedValueOpener;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sealed values of a spec, for the reconciler: checked on every reconcile without opening
 * anything (their form, their binding to this object, their key), and opened in memory only when
 * their ciphertext changed.
 */
public final class SealedValues {

  private final SealedValueOpener opener;

  public SealedValues(SealedValueOpener.Keys keys) {
    this.opener = new SealedValueOpener(keys);
  }

  /**
   * Refuses the first sealed value that could not open here; no private key is used and no KMS is
   * asked.
   *
   * @throws dev.managedsecrets.core.sealing.SealedValueException which value, and why
   */
  public void check(SealedInputs sealed) {
    for (SealedInputs.Item item : sealed.items()) {
      opener.check(SealedValue.parse(item.text(), item.what()), item.binding(), item.what());
    }
  }

  /**
   * Opens every sealed value, or none: the first that does not open is refused and the plaintexts
   * opened before it are cleared. The caller clears what it gets.
   */
  public Map<SealedInputs.Item, byte[]> open(SealedInputs sealed) {
    Map<SealedInputs.Item, byte[]> opened = new LinkedHashMap<>();
    try {
      for (SealedInputs.Item item : sealed.items()) {
        opened.put(
            item,
            opener.open(SealedValue.parse(item.text(), item.what()), item.binding(), item.what()));
      }
      return opened;
    } catch (RuntimeException e) {
      clear(opened);
      throw e;
    }
  }

  public static void clear(Map<SealedInputs.Item, byte[]> opened) {
    opened.values().forEach(b -> Arrays.fill(b, (byte) 0));
  }
}
