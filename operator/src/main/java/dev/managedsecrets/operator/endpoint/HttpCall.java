package dev.managedsecrets.operator.endpoint;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request as it arrived, before anything is believed of it: what SigV4 signs (method, path,
 * query, headers, body) and who sent it (the peer's address, for the audit record).
 *
 * @param headers by name, case-insensitive
 */
record HttpCall(
    String method,
    String scheme,
    String rawPath,
    String rawQuery,
    Map<String, List<String>> headers,
    byte[] body,
    String sourceIp) {

  HttpCall {
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    headers = copy;
  }

  /** The header's values; empty when it is absent. */
  List<String> header(String name) {
    return headers.getOrDefault(name, List.of());
  }

  /** The header's first value, or null. */
  String first(String name) {
    List<String> values = header(name);
    return values.isEmpty() ? null : values.get(0);
  }
}
