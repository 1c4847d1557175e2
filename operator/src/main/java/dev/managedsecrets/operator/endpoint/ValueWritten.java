package dev.managedsecrets.operator.endpoint;

/**
 * Tells the operator that the endpoint wrote into the store for a ManagedSecret (a version, a
 * label), so that it projects the new AWSCURRENT now rather than at its next resync.
 */
@FunctionalInterface
public interface ValueWritten {

  void written(String namespace, String name);
}
