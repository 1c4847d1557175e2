package dev.managedsecrets.operator.endpoint;

/**
 * Who made a call, once its signature holds: the principal of the access key, and what the audit
 * record says of where it came from.
 */
record Caller(Principal principal, String accessKeyId, String sourceIp, String userAgent) {

  String namespace() {
    return principal.namespace();
  }
}
