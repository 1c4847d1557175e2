package dev.managedsecrets.operator.endpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One Secrets Manager operation: a signed caller's request in, the answer out. */
@FunctionalInterface
interface Operation {

  /**
   * @throws AwsException the answer when the operation is refused or fails
   */
  ObjectNode run(Caller caller, Input input);
}
