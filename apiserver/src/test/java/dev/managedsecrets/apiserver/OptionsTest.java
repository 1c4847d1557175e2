package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatus;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/** {@link EmbeddedApiServer.Options}: the request listener, rules reviews and admission off. */
class OptionsTest {

  private static ManagedSecret bothValues(String name) {
    ManagedSecret ms = new ManagedSecret();
    ms.getMetadata().setName(name);
    ms.getMetadata().setNamespace("default");
    ms.setSpec(new ManagedSecretSpec());
    ms.getSpec().secretString = "v";
    ms.getSpec().secretBinary = "AAEC";
    return ms;
  }

  private static SubjectRulesReviewStatus review(KubernetesClient client, String namespace) {
    SelfSubjectRulesReview review =
        client
            .authorization()
            .v1()
            .selfSubjectRulesReview()
            .create(
                new SelfSubjectRulesReviewBuilder()
                    .withNewSpec()
                    .withNamespace(namespace)
                    .endSpec()
                    .build());
    return review.getStatus();
  }

  @Test
  void theListenerSeesEveryRequestWithItsBodyAndUserAgentAndTheHandlersStillReadTheBody() {
    Queue<EmbeddedApiServer.Request> seen = new ConcurrentLinkedQueue<>();
    try (EmbeddedApiServer api =
            EmbeddedApiServer.start(EmbeddedApiServer.options().onRequest(seen::add));
        KubernetesClient agent =
            new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(api.config()).withUserAgent("test-agent/1").build())
                .build()) {
      assertThat(seen)
          .as("the server's own setup: CRDs and namespaces")
          .anyMatch(
              r ->
                  r.method().equals("POST")
                      && r.path().equals("/api/v1/namespaces")
                      && r.body().contains("managedsecret-system"));
      seen.clear();

      agent
          .configMaps()
          .inNamespace("default")
          .resource(
              new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("heard")
                  .endMetadata()
                  .addToData("k", "v")
                  .build())
          .create();
      agent.configMaps().inNamespace("default").withLabel("a in (b)").list();

      assertThat(api.client().configMaps().inNamespace("default").withName("heard").get().getData())
          .containsEntry("k", "v");
      List<EmbeddedApiServer.Request> requests = List.copyOf(seen);
      assertThat(requests.get(0).method()).isEqualTo("POST");
      assertThat(requests.get(0).path()).isEqualTo("/api/v1/namespaces/default/configmaps");
      assertThat(requests.get(0).userAgent()).isEqualTo("test-agent/1");
      assertThat(requests.get(0).body()).contains("\"heard\"").contains("\"k\":\"v\"");
      assertThat(requests.get(1).method()).isEqualTo("GET");
      assertThat(requests.get(1).path())
          .startsWith("/api/v1/namespaces/default/configmaps?")
          .contains("labelSelector=a%20in%20%28b%29");
      assertThat(requests.get(1).body()).isEmpty();
    }
  }

  @Test
  void aRulesReviewAllowsEverythingByDefault() {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      SubjectRulesReviewStatus status = review(api.client(), "default");
      assertThat(status.getIncomplete()).isFalse();
      assertThat(status.getResourceRules())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.getApiGroups()).containsExactly("*");
                assertThat(r.getResources()).containsExactly("*");
                assertThat(r.getVerbs()).containsExactly("*");
              });
      assertThat(status.getNonResourceRules())
          .singleElement()
          .satisfies(r -> assertThat(r.getNonResourceURLs()).containsExactly("*"));
    }
  }

  @Test
  void aRulesReviewAnswersTheGivenRulesForItsNamespace() {
    List<String> asked = new java.util.ArrayList<>();
    try (EmbeddedApiServer api =
        EmbeddedApiServer.start(
            EmbeddedApiServer.options()
                .rules(
                    ns -> {
                      asked.add(ns);
                      return List.of(
                          new ResourceRuleBuilder()
                              .withApiGroups("coordination.k8s.io")
                              .withResources("leases")
                              .withVerbs("get", "update")
                              .build());
                    }))) {
      SubjectRulesReviewStatus status = review(api.client(), "team-a");
      assertThat(asked).containsExactly("team-a");
      assertThat(status.getResourceRules())
          .extracting(ResourceRule::getVerbs)
          .containsExactly(List.of("get", "update"));
      assertThat(status.getNonResourceRules()).isNullOrEmpty();
    }
  }

  @Test
  void aRulesReviewInProtobufAsKubectlSendsItIsAnsweredInJson() throws Exception {
    List<String> asked = new java.util.ArrayList<>();
    try (EmbeddedApiServer api =
        EmbeddedApiServer.start(
            EmbeddedApiServer.options()
                .rules(
                    ns -> {
                      asked.add(ns);
                      return List.of();
                    }))) {
      java.net.http.HttpResponse<String> response =
          java.net.http.HttpClient.newBuilder()
              .sslContext(api.trust())
              .build()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(
                              api.url() + "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"))
                      .header("Authorization", "Bearer " + api.token())
                      .header("Content-Type", "application/vnd.kubernetes.protobuf")
                      .header("Accept", "application/vnd.kubernetes.protobuf,application/json")
                      .POST(
                          java.net.http.HttpRequest.BodyPublishers.ofByteArray(
                              ProtobufTest.rulesReview("team-b")))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(201);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
      SelfSubjectRulesReview review =
          io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
              response.body(), SelfSubjectRulesReview.class);
      assertThat(review.getKind()).isEqualTo("SelfSubjectRulesReview");
      assertThat(review.getSpec().getNamespace()).isEqualTo("team-b");
      assertThat(review.getStatus().getIncomplete()).isFalse();
      assertThat(asked).containsExactly("team-b");
    }
  }

  @Test
  void anotherProtobufBodyIsRefusedAsAnUnsupportedMediaType() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      java.net.http.HttpResponse<String> response =
          java.net.http.HttpClient.newBuilder()
              .sslContext(api.trust())
              .build()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(
                              api.url() + "/api/v1/namespaces/default/serviceaccounts"))
                      .header("Authorization", "Bearer " + api.token())
                      .header("Content-Type", "application/vnd.kubernetes.protobuf")
                      .POST(
                          java.net.http.HttpRequest.BodyPublishers.ofByteArray(
                              ProtobufTest.rulesReview("default")))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(415);
      assertThat(response.body())
          .contains("\"reason\":\"UnsupportedMediaType\"")
          .contains("bodies only for Secret, ConfigMap, Namespace");
      assertThat(api.client().serviceAccounts().inNamespace("default").list().getItems()).isEmpty();
    }
  }

  @Test
  void admissionRefusesWhatTheCrdForbidsUnlessItIsTurnedOff() {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      assertThatThrownBy(() -> api.client().resource(bothValues("refused")).create())
          .isInstanceOfSatisfying(
              KubernetesClientException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(422);
                assertThat(e.getMessage())
                    .contains("You can't specify both a binary secret value and a string");
              });
    }
    try (EmbeddedApiServer api =
        EmbeddedApiServer.start(EmbeddedApiServer.options().withoutAdmission())) {
      ManagedSecret stored = api.client().resource(bothValues("stored")).create();
      assertThat(stored.getSpec().secretString).isEqualTo("v");
      assertThat(stored.getSpec().secretBinary).isEqualTo("AAEC");
      assertThat(stored.getMetadata().getGeneration()).isEqualTo(1L);
    }
  }
}
