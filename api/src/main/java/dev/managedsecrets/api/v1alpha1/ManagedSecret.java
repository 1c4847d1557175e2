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
 * A secret in the AWS Secrets Manager model: a named value, encrypted under a KMS key into the
 * operator's backing store as immutable versions with staging labels, and projected into a native
 * Secret in the same namespace.
 */
@Group(ManagedSecret.GROUP)
@Version(ManagedSecret.VERSION)
// Declared, not derived: fabric8 otherwise runs its English pluralizer (regular expressions) twice
// in the constructor of every object it deserializes, which was a tenth of the operator's CPU.
@Plural("managedsecrets")
@Singular("managedsecret")
@ShortNames("ms")
@Categories("managedsecrets")
// kubectl shows the columns in this order (the build keeps it: api/src/build/java): what the object
// is, whether it works, AGE last; -o wide adds the detail after AGE.
@AdditionalPrinterColumn(name = "Secret Name", jsonPath = ".status.name")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason")
@AdditionalPrinterColumn(name = "Version", jsonPath = ".status.versionId")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Key", jsonPath = ".status.kmsKeyId", priority = 1)
@AdditionalPrinterColumn(name = "Rotation", jsonPath = ".status.nextRotationDate", priority = 1)
@AdditionalPrinterColumn(
    name = "Last Changed",
    jsonPath = ".status.lastChangedDate",
    type = AdditionalPrinterColumn.Type.DATE,
    priority = 1)
public class ManagedSecret extends CustomResource<ManagedSecretSpec, ManagedSecretStatus>
    implements Namespaced {

  public static final String GROUP = "managedsecrets.dev";
  public static final String VERSION = "v1alpha1";

  @Override
  protected ManagedSecretSpec initSpec() {
    return new ManagedSecretSpec();
  }
}
