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
 * A replica of a ManagedSecret of another region (docs/REPLICATION.md): written only by the
 * operator identity of its primary region, which RBAC grants alone (the chart's value
 * replication.acceptFrom); tenants may read it, never write it. It carries the primary's secret
 * sealed for this region's operator, which re-encrypts it under the replica's KMS key into its own
 * store and projects the Secret in the same namespace.
 */
@Group(ManagedSecret.GROUP)
@Version(ManagedSecret.VERSION)
// Declared, not derived: fabric8 otherwise runs its English pluralizer (regular expressions) twice
// in the constructor of every object it deserializes, which was a tenth of the operator's CPU.
@Plural("managedsecretreplicas")
@Singular("managedsecretreplica")
@ShortNames("msr")
@Categories("managedsecrets")
// kubectl shows the columns in this order (the build keeps it: api/src/build/java): what the
// replica
// copies, whether it works, AGE last; -o wide adds the detail after AGE.
@AdditionalPrinterColumn(name = "Primary", jsonPath = ".spec.primaryRegion")
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
@AdditionalPrinterColumn(name = "Primary ARN", jsonPath = ".spec.primaryArn", priority = 1)
public class ManagedSecretReplica
    extends CustomResource<ManagedSecretReplicaSpec, ManagedSecretReplicaStatus>
    implements Namespaced {

  @Override
  protected ManagedSecretReplicaSpec initSpec() {
    return new ManagedSecretReplicaSpec();
  }
}
