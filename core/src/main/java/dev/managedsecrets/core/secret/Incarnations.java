package dev.managedsecrets.core.secret;

import java.util.Collection;
import java.util.Optional;

/**
 * Which of the records stored under one name a ManagedSecret may take. A record belongs to the
 * namespace incarnation that made it (or that an administrator re-bound it to), not to the
 * namespace's name: a namespace deleted and made again under the same name is a new incarnation,
 * and the records of the old one are never its own. A record made before incarnations were recorded
 * belongs to no incarnation yet; the first incarnation of its namespace to claim it takes it.
 */
public final class Incarnations {

  private Incarnations() {}

  /**
   * The record the ManagedSecret {@code ownerUid} holds already: its uid is unique to it, so its
   * record is found without asking which incarnation holds the namespace.
   */
  public static Optional<StoredSecret> ownedBy(Collection<StoredSecret> records, String ownerUid) {
    return records.stream().filter(r -> ownerUid.equals(r.ownerUid())).findFirst();
  }

  /**
   * The record the namespace incarnation {@code namespaceUid} may claim under this name: its own;
   * else one that no incarnation holds yet. Records that other incarnations hold are never
   * claimable, whatever their state.
   */
  public static Optional<StoredSecret> claimable(
      Collection<StoredSecret> records, String namespaceUid) {
    Optional<StoredSecret> own = records.stream().filter(r -> r.heldBy(namespaceUid)).findFirst();
    return own.isPresent()
        ? own
        : records.stream().filter(r -> r.namespaceUid() == null).findFirst();
  }

  /** True when the record belongs to another incarnation than {@code namespaceUid}. */
  public static boolean heldByAnother(StoredSecret record, String namespaceUid) {
    return record.namespaceUid() != null && !record.heldBy(namespaceUid);
  }
}
