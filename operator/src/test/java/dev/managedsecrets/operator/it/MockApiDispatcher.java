package dev.managedsecrets.operator.it;

import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * fabric8's CRUD dispatcher plus what it lacks and the operator calls: SelfSubjectRulesReview,
 * which java-operator-sdk sends before leader election to check that it may use its Lease. The
 * answer comes from a rules function (by default: everything allowed); the RBAC test answers with
 * the chart's rules instead.
 */
final class MockApiDispatcher extends KubernetesCrudDispatcher {

  static final String RULES_REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

  static final Function<String, List<ResourceRule>> ALLOW_ALL =
      namespace ->
          List.of(
              new ResourceRuleBuilder()
                  .withApiGroups("*")
                  .withResources("*")
                  .withVerbs("*")
                  .build());

  private volatile Function<String, List<ResourceRule>> rules = ALLOW_ALL;
  private volatile boolean keepBodies;
  private final Map<RecordedRequest, String> bodies =
      Collections.synchronizedMap(new IdentityHashMap<>());

  /**
   * From now on the bodies of requests are kept for {@link #body}: the CRUD handlers consume them.
   */
  void keepBodies() {
    keepBodies = true;
  }

  /** The body of a request received since {@link #keepBodies}, or "". */
  String body(RecordedRequest request) {
    return bodies.getOrDefault(request, "");
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    if (keepBodies && request.getBody() != null) {
      bodies.put(request, new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
    }
    return super.dispatch(request);
  }

  /** From now on a SelfSubjectRulesReview in a namespace answers these rules. */
  void rules(Function<String, List<ResourceRule>> rules) {
    this.rules = rules;
  }

  @Override
  public MockResponse handleCreate(RecordedRequest request) {
    String path = request.getPath();
    if (path.equals(RULES_REVIEWS) || path.startsWith(RULES_REVIEWS + "?")) {
      SelfSubjectRulesReview review =
          Serialization.unmarshal(request.getBody().readUtf8(), SelfSubjectRulesReview.class);
      review.setStatus(
          new SubjectRulesReviewStatusBuilder()
              .withResourceRules(rules.apply(review.getSpec().getNamespace()))
              .withIncomplete(false)
              .build());
      return new MockResponse().setResponseCode(201).setBody(Serialization.asJson(review));
    }
    return super.handleCreate(request);
  }
}
