package dev.managedsecrets.operator.manager;

import dev.managedsecrets.core.secret.SpecGeneration;
import dev.managedsecrets.core.secret.StoredSecret;

/**
 * A write refused because a later generation of the same ManagedSecret wrote the record than the
 * one the writer acts on: the writer's view of the spec is behind (a second operator, its informer
 * a change behind, reads the record after the first wrote the newer value). Nothing was written,
 * and no KMS call made. Not a failure of the ManagedSecret: it is reconciled again from its newer
 * spec. The message names the secret and the two generations, nothing of a value.
 */
public final class StaleSpecException extends RuntimeException {

  private final transient SpecGeneration recorded;

  private StaleSpecException(StoredSecret record, SpecGeneration writer) {
    super(
        "The record of secret "
            + record.id().name()
            + " was written from generation "
            + record.specGeneration().generation()
            + " of its ManagedSecret; this write acts on generation "
            + writer.generation()
            + " and is not made",
        null,
        false,
        false);
    this.recorded = record.specGeneration();
  }

  /**
   * Refuses a write to {@code record} acting on {@code writer} when a later generation of the same
   * ManagedSecret wrote the record (a null {@code writer}: no generation known, nothing compared).
   */
  static void requireCurrent(StoredSecret record, SpecGeneration writer) {
    if (writer != null && record.writtenAfter(writer)) {
      throw new StaleSpecException(record, writer);
    }
  }

  /** The ManagedSecret and the generation that wrote the record. */
  public SpecGeneration recorded() {
    return recorded;
  }
}
