package dev.managedsecrets.apiserver;

import io.fabric8.mockwebserver.http.Headers;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Impersonation, as the API server's filter does it ({@code kubectl --as=... --as-group=...}): a
 * request with {@code Impersonate-User} (and {@code Impersonate-Group}, {@code Impersonate-Uid},
 * {@code Impersonate-Extra-<key>}) acts as that user when its requester may {@code impersonate}
 * each of them: users, groups or serviceaccounts (core group), uids and userextras
 * (authentication.k8s.io). A ServiceAccount impersonated without groups gets its groups; every
 * impersonated user gets system:authenticated unless a group given is it or system:unauthenticated.
 */
final class Impersonation {

  private static final String USER = "impersonate-user";
  private static final String GROUP = "impersonate-group";
  private static final String UID = "impersonate-uid";
  private static final String EXTRA = "impersonate-extra-";
  private static final String AUTHENTICATION = "authentication.k8s.io";

  private Impersonation() {}

  /**
   * The user the request acts as: {@code requester}, or the one its headers name.
   *
   * @throws ApiException 403 when the requester may not impersonate what the headers name
   */
  static UserInfo of(
      UserInfo requester,
      Headers headers,
      BiFunction<UserInfo, ApiRequest, RbacAuthorizer.Decision> authorizer) {
    String name = null;
    String uid = null;
    List<String> groups = new ArrayList<>();
    Map<String, List<String>> extra = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> h : headers.toMultimap().entrySet()) {
      String key = h.getKey().toLowerCase(Locale.ROOT);
      if (key.equals(USER)) {
        name = h.getValue().get(0);
      } else if (key.equals(GROUP)) {
        groups.addAll(h.getValue());
      } else if (key.equals(UID)) {
        uid = h.getValue().get(0);
      } else if (key.startsWith(EXTRA)) {
        String extraKey = URLDecoder.decode(key.substring(EXTRA.length()), StandardCharsets.UTF_8);
        extra.computeIfAbsent(extraKey, k -> new ArrayList<>()).addAll(h.getValue());
      }
    }
    if (name == null) {
      if (!groups.isEmpty() || uid != null || !extra.isEmpty()) {
        throw ApiException.internalError(
            "requested impersonation of groups, uid or extra without" + " impersonating a user");
      }
      return requester;
    }
    List<ApiRequest> checks = new ArrayList<>();
    String[] account = UserInfo.serviceAccountOf(name);
    if (account != null) {
      checks.add(
          new ApiRequest("impersonate", "", "serviceaccounts", null, account[0], account[1], null));
    } else {
      checks.add(new ApiRequest("impersonate", "", "users", null, null, name, null));
    }
    for (String group : groups) {
      checks.add(new ApiRequest("impersonate", "", "groups", null, null, group, null));
    }
    if (uid != null) {
      checks.add(new ApiRequest("impersonate", AUTHENTICATION, "uids", null, null, uid, null));
    }
    extra.forEach(
        (key, values) ->
            values.forEach(
                v ->
                    checks.add(
                        new ApiRequest(
                            "impersonate", AUTHENTICATION, "userextras", key, null, v, null))));
    for (ApiRequest check : checks) {
      RbacAuthorizer.Decision d = authorizer.apply(requester, check);
      if (!d.allowed()) {
        throw ApiException.forbidden(requester, check, d.reason());
      }
    }
    if (account != null && groups.isEmpty()) {
      groups.addAll(UserInfo.serviceAccountGroups(account[0], false));
    }
    if (!groups.contains(UserInfo.AUTHENTICATED) && !groups.contains(UserInfo.UNAUTHENTICATED)) {
      groups.add(UserInfo.AUTHENTICATED);
    }
    return new UserInfo(name, uid, groups, extra);
  }
}
