package dev.managedsecrets.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A KMS key, as AWS KMS has them: material in a provider (local keyring, an HSM, AWS KMS), aliases,
 * rotation, and a key policy saying which namespaces may use it.
 */
@Group(ManagedSecret.GROUP)
@Version(ManagedSecret.VERSION)
// Declared, not derived: fabric8 otherwise runs its English pluralizer (regular expressions) twice
// in the constructor of every object it deserializes, which was a tenth of the operator's CPU.
@Plural("kmskeys")
@Singular("kmskey")
@ShortNames("kk")
@Categories("managedsecrets")
// kubectl shows the columns in this order (the build keeps it: api/src/build/java): what the key
// is, whether it works, AGE last; -o wide adds the detail after AGE.
@AdditionalPrinterColumn(name = "Key Id", jsonPath = ".status.keyId")
@AdditionalPrinterColumn(name = "Provider", jsonPath = ".spec.provider")
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.keyState")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Materials",
    jsonPath = ".status.keyMaterialVersions",
    type = AdditionalPrinterColumn.Type.INTEGER,
    priority = 1)
@AdditionalPrinterColumn(name = "Rotation", jsonPath = ".status.nextRotationDate", priority = 1)
public class KmsKey extends CustomResource<KmsKeySpec, KmsKeyStatus> implements Namespaced {

  @Override
  protected KmsKeySpec initSpec() {
    return new KmsKeySpec();
  }
}
