package dev.managedsecrets.core.template;

/**
 * Why a template function refused its input. Its message is the function's own and names no key and
 * holds no byte of a value: it reaches the ManagedSecret's status.
 */
final class TemplateException extends RuntimeException {

  TemplateException(String message) {
    super(message, null, false, false);
  }
}
