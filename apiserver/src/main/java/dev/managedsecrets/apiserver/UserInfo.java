package dev.managedsecrets.apiserver;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who a request is from, as the API server's authenticators name a user: a name, a uid ("" when
 * none), groups and extra values. A ServiceAccount is the user {@code
 * system:serviceaccount:<namespace>:<name>} in the groups {@code system:serviceaccounts}, {@code
 * system:serviceaccounts:<namespace>} and {@code system:authenticated}.
 */
public record UserInfo(
    String name, String uid, List<String> groups, Map<String, List<String>> extra) {

  public static final String MASTERS = "system:masters";
  public static final String AUTHENTICATED = "system:authenticated";
  public static final String UNAUTHENTICATED = "system:unauthenticated";
  public static final String SERVICE_ACCOUNTS = "system:serviceaccounts";
  private static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

  /** The user of the server's own token (its kubeconfig's): an administrator. */
  public static final UserInfo ADMIN =
      new UserInfo("kubernetes-admin", "", List.of(MASTERS, AUTHENTICATED), Map.of());

  public UserInfo {
    Objects.requireNonNull(name);
    uid = uid == null ? "" : uid;
    groups = List.copyOf(groups);
    extra = Map.copyOf(extra);
  }

  /** ServiceAccount {@code namespace/name} as its tokens authenticate it. */
  public static UserInfo serviceAccount(String namespace, String name, String uid) {
    return new UserInfo(
        serviceAccountName(namespace, name), uid, serviceAccountGroups(namespace, true), Map.of());
  }

  /** {@code system:serviceaccount:<namespace>:<name>} */
  public static String serviceAccountName(String namespace, String name) {
    return SERVICE_ACCOUNT_PREFIX + namespace + ":" + name;
  }

  /** The groups of every ServiceAccount of a namespace, and system:authenticated if asked. */
  static List<String> serviceAccountGroups(String namespace, boolean authenticated) {
    return authenticated
        ? List.of(SERVICE_ACCOUNTS, SERVICE_ACCOUNTS + ":" + namespace, AUTHENTICATED)
        : List.of(SERVICE_ACCOUNTS, SERVICE_ACCOUNTS + ":" + namespace);
  }

  /**
   * The namespace and name of a ServiceAccount's user name, or null when {@code user} names no
   * ServiceAccount.
   */
  static String[] serviceAccountOf(String user) {
    if (user == null || !user.startsWith(SERVICE_ACCOUNT_PREFIX)) {
      return null;
    }
    String[] parts = user.substring(SERVICE_ACCOUNT_PREFIX.length()).split(":", -1);
    return parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty() ? parts : null;
  }

  boolean isPrivileged() {
    return groups.contains(MASTERS);
  }
}
