package dev.managedsecrets.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * ServiceAccount tokens as the API server issues (TokenRequest) and checks them (TokenReview, and
 * every request that presents one): JWTs signed with a key made when the server starts (ES256),
 * with the claims the API server writes (iss, sub, aud, exp, iat, nbf, jti and {@code
 * kubernetes.io}: the namespace, the ServiceAccount's name and uid, and a bound Pod or Secret). A
 * token is valid while its signature holds, one of its audiences is asked for, it has not expired
 * (one minute of leeway, as the API server allows) and its ServiceAccount (and bound object) still
 * exists with the same uid. Failures are worded as the API server words them.
 */
final class ServiceAccountTokens {

  /** The issuer and the API server's own audience, as a cluster's default. */
  static final String ISSUER = "https://kubernetes.default.svc.cluster.local";

  static final List<String> AUDIENCES = List.of(ISSUER);

  /** The shortest lifetime a TokenRequest may ask for, the default one and the longest. */
  static final long MIN_SECONDS = 600;

  static final long DEFAULT_SECONDS = 3600;
  static final long MAX_SECONDS = 1L << 32;

  private static final Duration LEEWAY = Duration.ofMinutes(1);
  private static final String CLAIM = "kubernetes.io";

  /** How the store is read: the object of this core resource, or null. */
  interface Store {
    JsonNode get(String resource, String namespace, String name);
  }

  /** An object a token is bound to: a Pod or a Secret of the ServiceAccount's namespace. */
  record Binding(String kind, String name, String uid) {}

  record Issued(String token, Instant expiration) {}

  /**
   * The answer of a review: the user (null when not authenticated), the audiences the token was
   * accepted for, and the reason it was not ("" when there is none to tell).
   */
  record Review(UserInfo user, List<String> audiences, String error) {
    static Review refused(String error) {
      return new Review(null, List.of(), error);
    }

    boolean authenticated() {
      return user != null;
    }
  }

  private final ECKey key;
  private final ECDSASigner signer;
  private final ECDSAVerifier verifier;
  private final Clock clock;

  private ServiceAccountTokens(ECKey key, Clock clock) {
    this.key = key;
    this.clock = clock;
    try {
      this.signer = new ECDSASigner(key);
      this.verifier = new ECDSAVerifier(key.toPublicJWK());
    } catch (JOSEException e) {
      throw new IllegalStateException("the signing key cannot be used", e);
    }
  }

  /** A new signing key, for a server that starts now. */
  static ServiceAccountTokens generate(Clock clock) {
    try {
      ECKey key =
          new ECKeyGenerator(Curve.P_256)
              .keyUse(KeyUse.SIGNATURE)
              .algorithm(JWSAlgorithm.ES256)
              .keyIDFromThumbprint(true)
              .generate();
      return new ServiceAccountTokens(key, clock);
    } catch (JOSEException e) {
      throw new IllegalStateException("could not make a signing key", e);
    }
  }

  /**
   * A token for ServiceAccount {@code namespace/name} with this uid, for these audiences, valid for
   * {@code seconds} from now, bound to {@code bound} when not null.
   */
  Issued issue(
      String namespace,
      String name,
      String uid,
      List<String> audiences,
      long seconds,
      Binding bound) {
    Instant now = clock.instant();
    Instant expiration = now.plusSeconds(seconds);
    Map<String, Object> kubernetes = new LinkedHashMap<>();
    kubernetes.put("namespace", namespace);
    if (bound != null) {
      kubernetes.put(
          bound.kind().toLowerCase(java.util.Locale.ROOT),
          Map.of("name", bound.name(), "uid", bound.uid()));
    }
    kubernetes.put("serviceaccount", Map.of("name", name, "uid", uid));
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .subject(UserInfo.serviceAccountName(namespace, name))
            .audience(audiences)
            .expirationTime(Date.from(expiration))
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .jwtID(UUID.randomUUID().toString())
            .claim(CLAIM, kubernetes)
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("could not sign a token", e);
    }
    return new Issued(jwt.serialize(), expiration);
  }

  /**
   * Reviews a token for these audiences (empty: the API server's own). Answers null when the token
   * is not one of this issuer (not a JWT, or another issuer's): another authenticator's, if any.
   */
  Review review(String token, List<String> audiences, Store store) {
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return null;
    }
    if (!ISSUER.equals(claims.getIssuer())) {
      return null;
    }
    if (!verified(jwt)) {
      return Review.refused("go-jose/go-jose: error in cryptographic primitive");
    }
    List<String> tokenAudiences = claims.getAudience().isEmpty() ? AUDIENCES : claims.getAudience();
    List<String> requested = audiences.isEmpty() ? AUDIENCES : audiences;
    List<String> accepted = intersection(tokenAudiences, requested);
    if (accepted.isEmpty()) {
      return Review.refused(
          "token audiences "
              + quoted(tokenAudiences)
              + " is invalid for the target audiences "
              + quoted(requested));
    }
    String timing = timing(claims);
    if (timing != null) {
      return Review.refused(timing);
    }
    return owner(claims, accepted, store);
  }

  private boolean verified(SignedJWT jwt) {
    try {
      return JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm()) && jwt.verify(verifier);
    } catch (JOSEException e) {
      return false;
    }
  }

  /** The API server's check of nbf, exp and iat, with its leeway; null when they hold. */
  private String timing(JWTClaimsSet claims) {
    Instant now = clock.instant();
    Date nbf = claims.getNotBeforeTime();
    Date exp = claims.getExpirationTime();
    Date iat = claims.getIssueTime();
    if (nbf != null && now.plus(LEEWAY).isBefore(nbf.toInstant())) {
      return "service account token is not valid yet";
    }
    if (exp != null && now.minus(LEEWAY).isAfter(exp.toInstant())) {
      return "service account token has expired";
    }
    if (iat != null && now.plus(LEEWAY).isBefore(iat.toInstant())) {
      return "service account token is issued in the future";
    }
    return null;
  }

  /** The ServiceAccount (and bound object) of the claims, as the store has them now. */
  private Review owner(JWTClaimsSet claims, List<String> accepted, Store store) {
    Map<String, Object> kubernetes;
    try {
      kubernetes = claims.getJSONObjectClaim(CLAIM);
    } catch (ParseException e) {
      kubernetes = null;
    }
    Map<?, ?> k = kubernetes == null ? Map.of() : kubernetes;
    String namespace = text(k.get("namespace"));
    Map<?, ?> account = object(k.get("serviceaccount"));
    String name = text(account.get("name"));
    String uid = text(account.get("uid"));
    JsonNode stored = store.get("serviceaccounts", namespace, name);
    if (stored == null) {
      return Review.refused("serviceaccounts \"" + name + "\" not found");
    }
    String storedUid = stored.at("/metadata/uid").asText("");
    if (!storedUid.equals(uid)) {
      return Review.refused(
          "service account UID (" + storedUid + ") does not match claim (" + uid + ")");
    }
    Map<String, List<String>> extra = new LinkedHashMap<>();
    for (String kind : List.of("secret", "pod")) {
      Map<?, ?> ref = object(k.get(kind));
      if (ref.isEmpty()) {
        continue;
      }
      String refName = text(ref.get("name"));
      String refUid = text(ref.get("uid"));
      JsonNode object = store.get(kind + "s", namespace, refName);
      if (object == null) {
        return Review.refused("service account token has been invalidated");
      }
      String objectUid = object.at("/metadata/uid").asText("");
      if (!objectUid.equals(refUid)) {
        return Review.refused(
            kind
                + " UID ("
                + objectUid
                + ") does not match service account "
                + kind
                + " ref claim ("
                + refUid
                + ")");
      }
      if (kind.equals("pod")) {
        extra.put("authentication.kubernetes.io/pod-name", List.of(refName));
        extra.put("authentication.kubernetes.io/pod-uid", List.of(refUid));
      }
    }
    if (claims.getJWTID() != null) {
      extra.put("authentication.kubernetes.io/credential-id", List.of("JTI=" + claims.getJWTID()));
    }
    UserInfo user =
        new UserInfo(
            UserInfo.serviceAccountName(namespace, name),
            uid,
            UserInfo.serviceAccountGroups(namespace, true),
            extra);
    return new Review(user, accepted, "");
  }

  /** The public key, as the API server publishes it at /openid/v1/jwks. */
  Map<String, Object> jwks() {
    return new JWKSet(key.toPublicJWK()).toJSONObject(true);
  }

  /** The OpenID discovery document of the issuer (/.well-known/openid-configuration). */
  static Map<String, Object> openIdConfiguration() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("issuer", ISSUER);
    doc.put("jwks_uri", ISSUER + "/openid/v1/jwks");
    doc.put("response_types_supported", List.of("id_token"));
    doc.put("subject_types_supported", List.of("public"));
    doc.put("id_token_signing_alg_values_supported", List.of("ES256"));
    return doc;
  }

  /** A list as Go's %q prints it: ["a" "b"]. */
  static String quoted(List<String> values) {
    return values.stream().map(ApiException::quote).collect(Collectors.joining(" ", "[", "]"));
  }

  private static String text(Object value) {
    return value instanceof String s ? s : "";
  }

  private static Map<?, ?> object(Object value) {
    return value instanceof Map<?, ?> m ? m : Map.of();
  }

  /** The audiences in both lists, in the order of the first. */
  static List<String> intersection(List<String> first, List<String> second) {
    List<String> out = new ArrayList<>();
    for (String a : first) {
      if (second.contains(a) && !out.contains(a)) {
        out.add(a);
      }
    }
    return out;
  }
}
