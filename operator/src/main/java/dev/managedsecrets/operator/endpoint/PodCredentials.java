package dev.managedsecrets.operator.endpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived credentials for pods, the way EKS Pod Identity hands them out: the SDKs' container
 * credential provider presents the pod's projected ServiceAccount token (for the endpoint's own
 * audience), the endpoint checks it with a TokenReview and answers an access key, a secret key and
 * a session token that expire after {@link #LIFETIME}.
 *
 * <p>Nothing is stored per credential. The session token is the principal (user, uid, groups,
 * namespace), the id of the issuing key, the access key id and the expiry, with an HMAC-SHA256
 * under the issuing key; the secret key is an HMAC of the session token under the same key. The
 * issuing keys are a ring ({@link IssuingKeyRing}) kept in a Secret of the operator's namespace,
 * shared by every replica and rotated on a schedule; a token whose key left the ring is not
 * recognised.
 */
final class PodCredentials {

  static final Duration LIFETIME = IssuingKeys.LIFETIME;
  static final String TOKEN_PREFIX = "msv1.";

  /** The longest ServiceAccount token looked at (a projected token is about a kilobyte). */
  static final int MAX_TOKEN = 16384;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  private final KubernetesClient client;
  private final IssuingKeyRing keys;
  private final String audience;
  private final Clock clock;

  PodCredentials(KubernetesClient client, IssuingKeyRing keys, String audience, Clock clock) {
    this.client = client;
    this.keys = keys;
    this.audience = audience;
    this.clock = clock;
  }

  /**
   * The issuer, with the ring of issuing keys kept in the Secret {@code namespace/secretName},
   * rotated every {@code rotation}; the ring is read (or made) now, so that a start fails when it
   * cannot be.
   */
  static PodCredentials open(
      KubernetesClient client,
      String namespace,
      String secretName,
      Duration rotation,
      String audience,
      Clock clock) {
    IssuingKeyRing ring =
        new IssuingKeyRing(new IssuingKeySecret(client, namespace, secretName), rotation, clock);
    ring.issuing();
    return new PodCredentials(client, ring, audience, clock);
  }

  /** What an issue answers: credentials, or a refusal (HTTP status and AWS-style code). */
  record Issued(int status, ObjectNode body, Principal principal) {}

  /**
   * Credentials for the ServiceAccount whose token {@code authorization} is, as the container
   * credential provider asks for them; 401 without a token, 403 for a token the API server does not
   * accept for the endpoint's audience or that is not a ServiceAccount's.
   */
  Issued issue(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      return refusal(401, "The request carries no ServiceAccount token.");
    }
    String token = authorization.strip();
    if (token.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = token.substring(7).strip();
    }
    if (token.length() > MAX_TOKEN) {
      return refusal(403, "The token is longer than " + MAX_TOKEN + " characters.");
    }
    TokenReview review;
    try {
      review =
          client
              .tokenReviews()
              .create(
                  new TokenReviewBuilder()
                      .withNewSpec()
                      .withToken(token)
                      .withAudiences(audience)
                      .endSpec()
                      .build());
    } catch (KubernetesClientException e) {
      return refusal(500, "The token could not be reviewed; try again.");
    }
    var status = review.getStatus();
    if (status == null
        || !Boolean.TRUE.equals(status.getAuthenticated())
        || status.getUser() == null) {
      return refusal(
          403,
          "The token is not valid for audience "
              + audience
              + (status != null && status.getError() != null ? ": " + status.getError() : "."));
    }
    String username = status.getUser().getUsername();
    String[] parts = username == null ? new String[0] : username.split(":");
    if (parts.length != 4 || !username.startsWith("system:serviceaccount:")) {
      return refusal(403, "Only a ServiceAccount's token gets credentials.");
    }
    Principal principal =
        new Principal(
            username,
            status.getUser().getUid(),
            status.getUser().getGroups() == null ? List.of() : status.getUser().getGroups(),
            parts[2]);
    IssuingKeys.Key key;
    try {
      key = keys.issuing();
    } catch (RuntimeException e) {
      return refusal(500, "The credentials could not be issued; try again.");
    }
    Instant expiration = clock.instant().plus(LIFETIME);
    String accessKeyId = "ASIA" + random(16);
    String session = sessionToken(key, accessKeyId, principal, expiration);
    ObjectNode body = Output.object();
    body.put("AccessKeyId", accessKeyId);
    body.put("SecretAccessKey", secretKey(key, session));
    body.put("Token", session);
    body.put("Expiration", expiration.toString());
    return new Issued(200, body, principal);
  }

  private static Issued refusal(int status, String message) {
    ObjectNode body = Output.object();
    body.put("Code", status == 401 ? "Unauthorized" : status == 403 ? "AccessDenied" : "Error");
    body.put("Message", message);
    return new Issued(status, body, null);
  }

  /**
   * The key a request that carries this session token was signed with, if the token is one this
   * issuer made for {@code accessKeyId}; empty for anything else.
   *
   * @throws AwsException ExpiredTokenException for a token of ours that expired
   */
  Optional<AccessKeys.AccessKey> key(String accessKeyId, String sessionToken) {
    if (sessionToken == null
        || sessionToken.length() > MAX_TOKEN
        || !sessionToken.startsWith(TOKEN_PREFIX)) {
      return Optional.empty();
    }
    int dot = sessionToken.lastIndexOf('.');
    if (dot <= TOKEN_PREFIX.length()) {
      return Optional.empty();
    }
    String payload = sessionToken.substring(TOKEN_PREFIX.length(), dot);
    byte[] mac;
    JsonNode claims;
    try {
      mac = Base64.getUrlDecoder().decode(sessionToken.substring(dot + 1));
      claims = Output.JSON.readTree(Base64.getUrlDecoder().decode(payload));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
    // The key id is read before the MAC is checked, to choose the key it is checked with.
    Optional<IssuingKeys.Key> key = keys.verifying(claims.path("kid").asText(""));
    if (key.isEmpty() || !MessageDigest.isEqual(mac, hmac(key.get(), "token:" + payload))) {
      return Optional.empty();
    }
    if (!accessKeyId.equals(claims.path("akid").asText())) {
      return Optional.empty();
    }
    if (!clock.instant().isBefore(Instant.ofEpochSecond(claims.path("exp").asLong()))) {
      throw new AwsException(
          "ExpiredTokenException", 400, "The security token included in the request is expired");
    }
    List<String> groups = new ArrayList<>();
    claims.path("groups").forEach(g -> groups.add(g.asText()));
    Principal principal =
        new Principal(
            claims.path("user").asText(),
            claims.path("uid").isMissingNode() ? null : claims.path("uid").asText(null),
            groups,
            claims.path("ns").asText());
    return Optional.of(
        new AccessKeys.AccessKey(accessKeyId, secretKey(key.get(), sessionToken), principal));
  }

  private static String sessionToken(
      IssuingKeys.Key key, String accessKeyId, Principal p, Instant expiration) {
    ObjectNode claims = Output.object();
    claims.put("kid", key.id());
    claims.put("akid", accessKeyId);
    claims.put("user", p.username());
    if (p.uid() != null) {
      claims.put("uid", p.uid());
    }
    claims.set("groups", Output.strings(p.groups()));
    claims.put("ns", p.namespace());
    claims.put("exp", expiration.getEpochSecond());
    String payload =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
    return TOKEN_PREFIX
        + payload
        + "."
        + Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(key, "token:" + payload));
  }

  /** The secret access key of a session token: 40 characters of its HMAC. */
  private static String secretKey(IssuingKeys.Key key, String sessionToken) {
    return Base64.getEncoder().encodeToString(hmac(key, "secret:" + sessionToken)).substring(0, 40);
  }

  private static byte[] hmac(IssuingKeys.Key key, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.secret(), "HmacSHA256"));
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String random(int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(ID_CHARS.charAt(RANDOM.nextInt(ID_CHARS.length())));
    }
    return out.toString();
  }
}
