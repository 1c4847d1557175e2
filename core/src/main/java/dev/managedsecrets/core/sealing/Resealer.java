package dev.managedsecrets.core.sealing;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.validation.SpecValidator;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Seals the sealed values of a manifest again for the current sealing key without the plaintext
 * leaving the operator, as {@code kubeseal --re-encrypt} does: each value is opened under the
 * binding the manifest's metadata and spec give (never the value's own header), then sealed for the
 * current key under that same binding; a value sealed for the current key already is kept as it is,
 * once it opened. One value that does not open refuses the whole request.
 */
public final class Resealer {

  private final SealedValueOpener opener;

  public Resealer(SealedValueOpener.Keys keys) {
    this.opener = new SealedValueOpener(keys);
  }

  /**
   * @param current the key to seal for: the operator's newest key that is not retired
   * @throws dev.managedsecrets.core.secret.SecretsManagerException a request that is no
   *     ManagedSecret's sealed fields (ValidationException, as the operator's spec rules say)
   * @throws SealedValueException the first value that does not open here, and why
   */
  public ResealAnswer reseal(ResealRequest request, SealingPublicKey current) {
    ManagedSecret ms = request.managedSecret();
    SpecValidator.validate(ms);
    Map<String, String> data = request.sealedData() == null ? null : new LinkedHashMap<>();
    String secretString = null;
    String secretBinary = null;
    for (SealedInputs.Item item : SealedInputs.of(ms).items()) {
      SealedValue value = SealedValue.parse(item.text(), item.what());
      byte[] plaintext = opener.open(value, item.binding(), item.what());
      String text;
      try {
        text =
            value.keyId().equals(current.keyId())
                ? item.text()
                : Sealer.seal(current, item.binding(), plaintext);
      } finally {
        Arrays.fill(plaintext, (byte) 0);
      }
      SealingTarget target = item.binding().target();
      switch (target.form()) {
        case DATA -> data.put(target.key(), text);
        case SECRET_STRING -> secretString = text;
        case SECRET_BINARY -> secretBinary = text;
      }
    }
    if (data != null) {
      // In the request's order, as the manifest lists them.
      Map<String, String> ordered = new LinkedHashMap<>();
      request.sealedData().keySet().forEach(k -> ordered.put(k, data.get(k)));
      data.clear();
      data.putAll(ordered);
    }
    return new ResealAnswer(current.keyId(), data, secretString, secretBinary);
  }
}
