package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ServiceAccount tokens as the API server issues and reviews them: claims, audience, expiry,
 * signature, and the ServiceAccount (and bound object) still being there.
 */
class ServiceAccountTokensTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String AUDIENCE = "managedsecrets.dev/endpoint";

  /** A clock that a test moves. */
  static final class TestClock extends Clock {
    Instant now = Instant.parse("2025-06-01T12:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final TestClock clock = new TestClock();
  private final ServiceAccountTokens tokens = ServiceAccountTokens.generate(clock);
  private final Map<String, JsonNode> objects = new HashMap<>();
  private final ServiceAccountTokens.Store store =
      (resource, ns, name) -> objects.get(resource + "/" + ns + "/" + name);

  private void put(String resource, String ns, String name, String uid) {
    objects.put(
        resource + "/" + ns + "/" + name,
        JSON.createObjectNode().set("metadata", JSON.createObjectNode().put("uid", uid)));
  }

  private String issue(List<String> audiences, long seconds) {
    return tokens.issue("team-a", "app", "uid-1", audiences, seconds, null).token();
  }

  @Test
  void anIssuedTokenCarriesTheClaimsOfTheApiServer() throws Exception {
    ServiceAccountTokens.Issued issued =
        tokens.issue("team-a", "app", "uid-1", List.of(AUDIENCE), 600, null);
    var claims = SignedJWT.parse(issued.token()).getJWTClaimsSet();
    assertThat(claims.getIssuer()).isEqualTo(ServiceAccountTokens.ISSUER);
    assertThat(claims.getSubject()).isEqualTo("system:serviceaccount:team-a:app");
    assertThat(claims.getAudience()).containsExactly(AUDIENCE);
    assertThat(claims.getIssueTime().toInstant()).isEqualTo(clock.now);
    assertThat(claims.getNotBeforeTime().toInstant()).isEqualTo(clock.now);
    assertThat(claims.getExpirationTime().toInstant()).isEqualTo(clock.now.plusSeconds(600));
    assertThat(issued.expiration()).isEqualTo(clock.now.plusSeconds(600));
    assertThat(claims.getJWTID()).isNotBlank();
    assertThat(claims.getJSONObjectClaim("kubernetes.io"))
        .containsEntry("namespace", "team-a")
        .containsEntry("serviceaccount", Map.of("name", "app", "uid", "uid-1"));
    String kid = SignedJWT.parse(issued.token()).getHeader().getKeyID();
    assertThat(kid).isNotBlank();
    assertThat(JSON.valueToTree(tokens.jwks()).at("/keys/0/kid").asText())
        .as("the key published at /openid/v1/jwks")
        .isEqualTo(kid);
    assertThat(JSON.valueToTree(tokens.jwks()).at("/keys/0").has("d"))
        .as("no private part")
        .isFalse();
  }

  @Test
  void aValidTokenReviewsAsItsServiceAccountForTheAudienceAskedFor() {
    put("serviceaccounts", "team-a", "app", "uid-1");
    String token = issue(List.of(AUDIENCE, "other"), 3600);

    ServiceAccountTokens.Review review = tokens.review(token, List.of(AUDIENCE), store);

    assertThat(review.authenticated()).isTrue();
    assertThat(review.error()).isEmpty();
    assertThat(review.audiences()).containsExactly(AUDIENCE);
    assertThat(review.user().name()).isEqualTo("system:serviceaccount:team-a:app");
    assertThat(review.user().uid()).isEqualTo("uid-1");
    assertThat(review.user().groups())
        .containsExactly(
            "system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated");
    assertThat(review.user().extra()).containsKey("authentication.kubernetes.io/credential-id");
  }

  @Test
  void aTokenForTheServerIsValidWithoutAudiencesAskedFor() {
    put("serviceaccounts", "team-a", "app", "uid-1");
    ServiceAccountTokens.Review review =
        tokens.review(issue(ServiceAccountTokens.AUDIENCES, 3600), List.of(), store);
    assertThat(review.authenticated()).isTrue();
    assertThat(review.audiences()).containsExactly(ServiceAccountTokens.ISSUER);
  }

  @Test
  void aTokenForAnotherAudienceIsRefusedNamingBoth() {
    put("serviceaccounts", "team-a", "app", "uid-1");
    ServiceAccountTokens.Review review =
        tokens.review(issue(List.of("vault"), 3600), List.of(AUDIENCE), store);
    assertThat(review.authenticated()).isFalse();
    assertThat(review.error())
        .isEqualTo(
            "token audiences [\"vault\"] is invalid for the target audiences [\""
                + AUDIENCE
                + "\"]");
    assertThat(tokens.review(issue(List.of(AUDIENCE), 3600), List.of(), store).error())
        .as("a token for another audience is no token for the API server")
        .startsWith("token audiences");
  }

  @Test
  void aTokenIsValidUntilItsExpiryAndAMinuteOfLeewayThenRefusedAsExpired() {
    put("serviceaccounts", "team-a", "app", "uid-1");
    String token = issue(List.of(AUDIENCE), 600);
    clock.now = clock.now.plus(Duration.ofSeconds(600 + 60));
    assertThat(tokens.review(token, List.of(AUDIENCE), store).authenticated()).isTrue();
    clock.now = clock.now.plusSeconds(1);
    ServiceAccountTokens.Review review = tokens.review(token, List.of(AUDIENCE), store);
    assertThat(review.authenticated()).isFalse();
    assertThat(review.error()).isEqualTo("service account token has expired");
  }

  @Test
  void aTokenFromTheFutureIsNotValidYet() {
    put("serviceaccounts", "team-a", "app", "uid-1");
    String token = issue(List.of(AUDIENCE), 600);
    clock.now = clock.now.minus(Duration.ofMinutes(2));
    assertThat(tokens.review(token, List.of(AUDIENCE), store).error())
        .isEqualTo("service account token is not valid yet");
  }

  @Test
  void aTamperedTokenOrOneSignedWithAnotherKeyFailsItsSignature() throws Exception {
    put("serviceaccounts", "team-a", "app", "uid-1");
    put("serviceaccounts", "team-a", "admin", "uid-2");
    String token = issue(List.of(AUDIENCE), 3600);
    String[] parts = token.split("\\.");
    String payload =
        new String(Base64.getUrlDecoder().decode(parts[1]))
            .replace("system:serviceaccount:team-a:app", "system:serviceaccount:team-a:admin")
            .replace("\"name\":\"app\"", "\"name\":\"admin\"")
            .replace("uid-1", "uid-2");
    String tampered =
        parts[0]
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes())
            + "."
            + parts[2];
    ServiceAccountTokens.Review review = tokens.review(tampered, List.of(AUDIENCE), store);
    assertThat(review.authenticated()).isFalse();
    assertThat(review.error()).isEqualTo("go-jose/go-jose: error in cryptographic primitive");

    String foreign =
        ServiceAccountTokens.generate(clock)
            .issue("team-a", "app", "uid-1", List.of(AUDIENCE), 3600, null)
            .token();
    assertThat(tokens.review(foreign, List.of(AUDIENCE), store).error())
        .isEqualTo("go-jose/go-jose: error in cryptographic primitive");
  }

  @Test
  void aTokenOfADeletedOrRecreatedServiceAccountIsRefused() {
    String token = issue(List.of(AUDIENCE), 3600);
    ServiceAccountTokens.Review gone = tokens.review(token, List.of(AUDIENCE), store);
    assertThat(gone.authenticated()).isFalse();
    assertThat(gone.error()).isEqualTo("serviceaccounts \"app\" not found");

    put("serviceaccounts", "team-a", "app", "uid-new");
    ServiceAccountTokens.Review recreated = tokens.review(token, List.of(AUDIENCE), store);
    assertThat(recreated.authenticated()).isFalse();
    assertThat(recreated.error())
        .isEqualTo("service account UID (uid-new) does not match claim (uid-1)");
  }

  @Test
  void aTokenBoundToAPodIsValidWhileThatPodIsAndNamesIt() {
    put("serviceaccounts", "team-a", "app", "uid-1");
    put("pods", "team-a", "app-0", "pod-uid");
    String token =
        tokens
            .issue(
                "team-a",
                "app",
                "uid-1",
                List.of(AUDIENCE),
                3600,
                new ServiceAccountTokens.Binding("Pod", "app-0", "pod-uid"))
            .token();
    ServiceAccountTokens.Review review = tokens.review(token, List.of(AUDIENCE), store);
    assertThat(review.user().extra())
        .containsEntry("authentication.kubernetes.io/pod-name", List.of("app-0"))
        .containsEntry("authentication.kubernetes.io/pod-uid", List.of("pod-uid"));

    objects.remove("pods/team-a/app-0");
    assertThat(tokens.review(token, List.of(AUDIENCE), store).error())
        .isEqualTo("service account token has been invalidated");
  }

  @Test
  void aTokenOfAnotherIssuerOrNoJwtIsNotThisAuthenticatorsToJudge() {
    assertThat(tokens.review("not-a-jwt", List.of(), store)).isNull();
    String other =
        Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes())
            + "."
            + Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("{\"iss\":\"https://elsewhere\"}".getBytes())
            + ".";
    assertThat(tokens.review(other, List.of(), store)).isNull();
  }
}
