package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Requests in the authorizer's terms, as the API server's request-info resolver derives them. */
class ApiRequestTest {

  @Test
  void aGetWithoutANameIsAListOrAWatchAndItsFieldSelectorMayNameTheObject() {
    assertThat(ApiRequest.of("GET", "/api/v1/namespaces/a/secrets").toString())
        .isEqualTo("list core/secrets in a");
    assertThat(ApiRequest.of("GET", "/api/v1/secrets?watch=1").toString())
        .isEqualTo("watch core/secrets (cluster-wide)");
    assertThat(
            ApiRequest.of(
                    "GET",
                    "/api/v1/namespaces/a/secrets?watch=true&fieldSelector=metadata.name%3Dkeyring")
                .toString())
        .isEqualTo("watch core/secrets keyring in a");
    assertThat(ApiRequest.of("GET", "/api/v1/namespaces/a/secrets/x").toString())
        .isEqualTo("get core/secrets x in a");
  }

  @Test
  void subresourcesNamespacesAndDiscoveryAreResolvedAsTheApiServerDoes() {
    assertThat(ApiRequest.of("POST", "/api/v1/namespaces/a/serviceaccounts/app/token").toString())
        .isEqualTo("create core/serviceaccounts/token app in a");
    assertThat(ApiRequest.of("GET", "/api/v1/namespaces/a").toString())
        .isEqualTo("get core/namespaces a in a");
    assertThat(ApiRequest.of("PUT", "/api/v1/namespaces/a/finalize").toString())
        .isEqualTo("update core/namespaces/finalize a in a");
    assertThat(ApiRequest.of("DELETE", "/apis/managedsecrets.dev/v1/namespaces/a/kmskeys"))
        .extracting(ApiRequest::verb)
        .isEqualTo("deletecollection");
    assertThat(
            ApiRequest.of("POST", "/api/v1/namespaces/a/services/http:x:8082/proxy/v1/reseal")
                .toString())
        .isEqualTo("create core/services/proxy http:x:8082 in a");
    assertThat(ApiRequest.of("GET", "/apis/apps/v1").toString()).isEqualTo("get /apis/apps/v1");
    assertThat(ApiRequest.of("GET", "/version?timeout=32s").isResource()).isFalse();
  }
}
