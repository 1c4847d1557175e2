package dev.managedsecrets.operator.rotation;

import dev.managedsecrets.core.value.SecretValue;

/**
 * The part of a rotation that depends on its strategy, in AWS's step names; {@link RotationRunner}
 * runs the steps, keeps them resumable and does finishSecret (the same label move for every
 * strategy). Each part must be idempotent: a rotation that stopped after a step runs that step
 * again when it resumes. Messages of the exceptions thrown never carry a value: they reach the
 * Events and conditions.
 */
public interface RotationStrategy {

  /** The strategy's name, as {@code spec.rotation.strategy} gives it (a metric label). */
  String name();

  /** createSecret: the pending value, made from AWSCURRENT's; the caller clears both. */
  SecretValue createSecret(SecretValue current);

  /** setSecret: applies the pending value to the system outside that uses it. */
  void setSecret(StagedValues values);

  /** testSecret: the pending value works. */
  void testSecret(StagedValues values);

  /**
   * The test of a rotation turned on without rotateImmediately (AWS's test-only pass, after
   * createSecret and without setSecret): testSecret by default. A strategy whose pending value
   * works only once setSecret applied it tests what it can instead: that AWSCURRENT's login works.
   */
  default void testConfiguration(StagedValues values) {
    testSecret(values);
  }
}
