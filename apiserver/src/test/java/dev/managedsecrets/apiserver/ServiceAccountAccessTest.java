package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewSpec;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewSpecBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ServiceAccounts on the server: TokenRequest issues their tokens, TokenReview checks them, a
 * client that presents one is that ServiceAccount and may do what the stored Roles and bindings
 * allow, and SubjectAccessReviews answer from the same RBAC.
 */
class ServiceAccountAccessTest {

  private static final String NS = "team-a";
  private static final String AUDIENCE = "managedsecrets.dev/endpoint";
  private static EmbeddedApiServer api;

  @BeforeAll
  static void start() {
    api = EmbeddedApiServer.start(0);
    api.client()
        .namespaces()
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName(NS)
                .endMetadata()
                .build())
        .create();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static void serviceAccount(String name) {
    api.client()
        .serviceAccounts()
        .inNamespace(NS)
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
  }

  private static TokenRequest tokenRequest(String name, List<String> audiences, Long seconds) {
    return api.client()
        .serviceAccounts()
        .inNamespace(NS)
        .withName(name)
        .tokenRequest(
            new TokenRequestBuilder()
                .withNewSpec()
                .withAudiences(audiences)
                .withExpirationSeconds(seconds)
                .endSpec()
                .build());
  }

  private static TokenReview review(String token, String... audiences) {
    return api.client()
        .resource(
            new TokenReviewBuilder()
                .withNewSpec()
                .withToken(token)
                .withAudiences(audiences)
                .endSpec()
                .build())
        .create();
  }

  /**
   * Asserts that {@code call} is refused with this code and a message that contains {@code text}.
   */
  private static void refused(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call, int code, String text) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(code);
              assertThat(e.getStatus().getMessage()).contains(text);
            });
  }

  private static KubernetesClient as(String token) {
    return new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(api.config()).withOauthToken(token).build())
        .build();
  }

  @Test
  void aTokenRequestIssuesATokenThatATokenReviewAuthenticatesForItsAudience() {
    serviceAccount("reviewed");
    TokenRequest issued = tokenRequest("reviewed", List.of(AUDIENCE), 600L);
    assertThat(issued.getStatus().getToken()).isNotBlank();
    assertThat(issued.getStatus().getExpirationTimestamp()).endsWith("Z");
    assertThat(issued.getSpec().getExpirationSeconds()).isEqualTo(600L);

    TokenReview review = review(issued.getStatus().getToken(), AUDIENCE);
    assertThat(review.getStatus().getAuthenticated()).isTrue();
    assertThat(review.getStatus().getAudiences()).containsExactly(AUDIENCE);
    assertThat(review.getStatus().getUser().getUsername())
        .isEqualTo("system:serviceaccount:team-a:reviewed");
    assertThat(review.getStatus().getUser().getUid())
        .isEqualTo(
            api.client()
                .serviceAccounts()
                .inNamespace(NS)
                .withName("reviewed")
                .get()
                .getMetadata()
                .getUid());
    assertThat(review.getStatus().getUser().getGroups())
        .containsExactly(
            "system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated");

    TokenReview wrongAudience = review(issued.getStatus().getToken(), "vault");
    assertThat(wrongAudience.getStatus().getAuthenticated()).isNotEqualTo(Boolean.TRUE);
    assertThat(wrongAudience.getStatus().getError())
        .contains("is invalid for the target audiences");
  }

  @Test
  void theServersOwnTokenReviewsAsAnAdministrator() {
    TokenReview review = review(api.token());
    assertThat(review.getStatus().getAuthenticated()).isTrue();
    assertThat(review.getStatus().getUser().getUsername()).isEqualTo("kubernetes-admin");
    assertThat(review.getStatus().getUser().getGroups()).contains("system:masters");
  }

  @Test
  void aTokenRequestForAMissingServiceAccountOrShorterThanTenMinutesIsRefused() {
    refused(
        () -> tokenRequest("nobody", List.of(), null), 404, "serviceaccounts \"nobody\" not found");
    serviceAccount("brief");
    refused(
        () -> tokenRequest("brief", List.of(), 599L),
        422,
        "spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10"
            + " minutes");
    TokenRequest defaults = tokenRequest("brief", List.of(), null);
    assertThat(defaults.getSpec().getExpirationSeconds()).isEqualTo(3600L);
    assertThat(defaults.getSpec().getAudiences())
        .containsExactly("https://kubernetes.default.svc.cluster.local");
  }

  @Test
  void aClientWithAServiceAccountTokenMayDoWhatItsRoleBindingsAllowAndNothingElse() {
    serviceAccount("reader");
    String token = tokenRequest("reader", List.of(), null).getStatus().getToken();
    try (KubernetesClient reader = as(token)) {
      refused(
          () -> reader.secrets().inNamespace(NS).withName("db").get(),
          403,
          "secrets \"db\" is forbidden: User \"system:serviceaccount:team-a:reader\" cannot get"
              + " resource \"secrets\" in API group \"\" in the namespace \"team-a\"");

      api.client()
          .rbac()
          .roles()
          .inNamespace(NS)
          .resource(
              new RoleBuilder()
                  .withNewMetadata()
                  .withName("secret-reader")
                  .endMetadata()
                  .addNewRule()
                  .withApiGroups("")
                  .withResources("secrets")
                  .withVerbs("get", "list")
                  .endRule()
                  .build())
          .create();
      api.client()
          .rbac()
          .roleBindings()
          .inNamespace(NS)
          .resource(
              new RoleBindingBuilder()
                  .withNewMetadata()
                  .withName("reader-reads")
                  .endMetadata()
                  .withNewRoleRef("rbac.authorization.k8s.io", "Role", "secret-reader")
                  .addNewSubject()
                  .withKind("ServiceAccount")
                  .withName("reader")
                  .endSubject()
                  .build())
          .create();

      assertThat(reader.secrets().inNamespace(NS).list().getItems()).isEmpty();
      refused(
          () -> reader.secrets().inNamespace("default").list(),
          403,
          "in the namespace \"default\"");

      SelfSubjectAccessReview self =
          reader
              .authorization()
              .v1()
              .selfSubjectAccessReview()
              .create(
                  new SelfSubjectAccessReviewBuilder()
                      .withNewSpec()
                      .withNewResourceAttributes()
                      .withNamespace(NS)
                      .withVerb("list")
                      .withResource("secrets")
                      .endResourceAttributes()
                      .endSpec()
                      .build());
      assertThat(self.getStatus().getAllowed()).isTrue();
      assertThat(self.getStatus().getReason())
          .isEqualTo(
              "RBAC: allowed by RoleBinding \"reader-reads/team-a\" of Role \"secret-reader\" to"
                  + " ServiceAccount \"reader/team-a\"");
    }

    api.client().serviceAccounts().inNamespace(NS).withName("reader").delete();
    try (KubernetesClient gone = as(token)) {
      refused(() -> gone.secrets().inNamespace(NS).list(), 401, "Unauthorized");
    }
  }

  private static SubjectAccessReview sar(SubjectAccessReviewSpec spec) {
    return api.client()
        .authorization()
        .v1()
        .subjectAccessReview()
        .create(new SubjectAccessReviewBuilder().withSpec(spec).build());
  }

  @Test
  void aSubjectAccessReviewAnswersForTheUserAndGroupsItNames() {
    SubjectAccessReview review =
        sar(
            new SubjectAccessReviewSpecBuilder()
                .withUser("system:serviceaccount:team-a:nobody")
                .withGroups("system:serviceaccounts", "system:authenticated")
                .withNewResourceAttributes()
                .withNamespace(NS)
                .withVerb("get")
                .withGroup("managedsecrets.dev")
                .withResource("managedsecrets")
                .withSubresource("value")
                .withName("db")
                .endResourceAttributes()
                .build());
    assertThat(review.getStatus().getAllowed()).isFalse();
    assertThat(review.getStatus().getDenied()).isNotEqualTo(Boolean.TRUE);

    SubjectAccessReviewSpecBuilder version =
        new SubjectAccessReviewSpecBuilder()
            .withNewNonResourceAttributes()
            .withPath("/version")
            .withVerb("get")
            .endNonResourceAttributes();
    SubjectAccessReview discovery =
        sar(
            new SubjectAccessReviewSpecBuilder(version.build())
                .withUser("someone")
                .withGroups("system:authenticated")
                .build());
    assertThat(discovery.getStatus().getAllowed()).isTrue();
    assertThat(
            sar(new SubjectAccessReviewSpecBuilder(version.build()).withUser("someone").build())
                .getStatus()
                .getAllowed())
        .as("the groups are those of the review only")
        .isFalse();

    refused(
        () -> sar(version.build()),
        422,
        "spec.user: Invalid value: \"\": at least one of user or group");
  }

  @Test
  void theAdministratorMayImpersonateAServiceAccountWhichThenHasOnlyItsOwnRights() {
    serviceAccount("impersonated");
    try (KubernetesClient asAccount =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(api.config())
                    .withImpersonateUsername("system:serviceaccount:team-a:impersonated")
                    .build())
            .build()) {
      refused(
          () -> asAccount.secrets().inNamespace(NS).list(),
          403,
          "User \"system:serviceaccount:team-a:impersonated\" cannot list");
    }
    serviceAccount("no-impersonator");
    String token = tokenRequest("no-impersonator", List.of(), null).getStatus().getToken();
    try (KubernetesClient sneaky =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(api.config())
                    .withOauthToken(token)
                    .withImpersonateUsername("kubernetes-admin")
                    .withImpersonateGroups("system:masters")
                    .build())
            .build()) {
      refused(
          () -> sneaky.secrets().inNamespace(NS).list(),
          403,
          "users \"kubernetes-admin\" is forbidden: User"
              + " \"system:serviceaccount:team-a:no-impersonator\" cannot impersonate resource"
              + " \"users\" in API group \"\" at the cluster scope");
    }
  }
}
