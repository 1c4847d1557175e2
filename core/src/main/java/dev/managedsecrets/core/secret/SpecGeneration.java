package dev.managedsecrets.core.secret;

import java.util.Objects;

/**
 * Which spec a write of a record comes from: the ManagedSecret's metadata.uid and the
 * metadata.generation of the spec its reconcile acted on. Generations of one ManagedSecret only go
 * up, so a record written from generation 6 tells a writer still acting on generation 5 of the same
 * ManagedSecret that its view is behind. Generations of different ManagedSecrets (one deleted and
 * made again under the same name, with a new uid and generation 1) are never compared.
 *
 * @param uid metadata.uid of the ManagedSecret
 * @param generation its metadata.generation, 1 or more
 */
public record SpecGeneration(String uid, long generation) {

  public SpecGeneration {
    Objects.requireNonNull(uid, "uid");
    if (generation < 1) {
      throw new IllegalArgumentException("a generation is 1 or more; it is " + generation);
    }
  }

  /** True when this is a later generation of the same ManagedSecret as {@code other}. */
  public boolean newerThan(SpecGeneration other) {
    return other != null && uid.equals(other.uid) && generation > other.generation;
  }

  /** This ManagedSecret at {@code other}'s generation if that is later (the same ManagedSecret). */
  public SpecGeneration atLeast(SpecGeneration other) {
    return other != null && other.newerThan(this) ? other : this;
  }
}
