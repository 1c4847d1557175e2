package dev.managedsecrets.apiserver;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Who a bearer token is, as the API server's token authenticators answer: the server's own token
 * (its kubeconfig's) is the administrator {@link UserInfo#ADMIN}; a ServiceAccount token that this
 * server issued, for the server's own audience, is its ServiceAccount ({@link
 * ServiceAccountTokens}); anything else is no one.
 */
final class Authentication {

  private final byte[] adminToken;
  private final ServiceAccountTokens tokens;
  private final ServiceAccountTokens.Store store;

  Authentication(String adminToken, ServiceAccountTokens tokens, ServiceAccountTokens.Store store) {
    this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
    this.tokens = tokens;
    this.store = store;
  }

  /** The user of a request that presents this token; null when the token is no one's. */
  UserInfo authenticate(String token) {
    ServiceAccountTokens.Review review = review(token, List.of());
    return review.user();
  }

  /**
   * A TokenReview: the user of the token for these audiences (empty: the server's own). The
   * server's own token is not bound to an audience: it is valid for the server's audience only, as
   * the API server's static tokens are.
   */
  ServiceAccountTokens.Review review(String token, List<String> audiences) {
    List<String> requested = audiences.isEmpty() ? ServiceAccountTokens.AUDIENCES : audiences;
    if (MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), adminToken)) {
      List<String> accepted =
          ServiceAccountTokens.intersection(ServiceAccountTokens.AUDIENCES, requested);
      return accepted.isEmpty()
          ? ServiceAccountTokens.Review.refused("")
          : new ServiceAccountTokens.Review(UserInfo.ADMIN, accepted, "");
    }
    ServiceAccountTokens.Review review = tokens.review(token, audiences, store);
    return review == null ? ServiceAccountTokens.Review.refused("") : review;
  }
}
