package dev.managedsecrets.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.apiserver.RequestCounts;
import dev.managedsecrets.operator.endpoint.AccessKeys;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;

/**
 * LastAccessedDate as AWS keeps it: the day (midnight UTC) of the last GetSecretValue or
 * BatchGetSecretValue, shown by DescribeSecret and ListSecrets, at the cost of one write per secret
 * on the first read of a day and none for the reads after it. The operator's clock is moved to the
 * next day, not waited for.
 */
class EndpointLastAccessedIT {

  static TestCluster cluster;
  static SecretsManagerClient sm;

  @BeforeAll
  static void start() {
    cluster = EndpointClients.start();
    AccessKeys.AccessKey admin = EndpointClients.administrator(cluster);
    sm = EndpointClients.client(cluster, admin);
  }

  @AfterAll
  static void stop() {
    sm.close();
    cluster.close();
  }

  static Instant today() {
    return LocalDate.ofInstant(cluster.clock.instant(), ZoneOffset.UTC)
        .atStartOfDay(ZoneOffset.UTC)
        .toInstant();
  }

  /**
   * The endpoint's writes since the last call (its User-Agent), but for the SubjectAccessReviews
   * that authorise each call.
   */
  static List<String> objectWrites() {
    return cluster.drainRequests().stream()
        .filter(r -> RequestCounts.WRITE_METHODS.contains(r.method()))
        .filter(r -> r.userAgent() != null && r.userAgent().startsWith("secretsmanager-endpoint/"))
        .map(r -> r.method() + " " + r.path())
        .filter(w -> !w.endsWith("/subjectaccessreviews"))
        .toList();
  }

  static SecretListEntry listed(String name) {
    return sm.listSecretsPaginator(r -> r.filters(f -> f.key("name").values(name))).stream()
        .flatMap(p -> p.secretList().stream())
        .filter(e -> e.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void theFirstReadOfADayRecordsItsDateOnceAndLaterReadsThatDayWriteNothing() {
    sm.createSecret(r -> r.name("accessed/db").secretString("first-value"));
    ManagedSecret ms = EndpointSdkIT.object(cluster, "accessed/db");
    Instant neverRead = sm.describeSecret(r -> r.secretId("accessed/db")).lastAccessedDate();
    objectWrites();

    sm.getSecretValue(r -> r.secretId("accessed/db"));
    List<String> firstRead = objectWrites();
    sm.getSecretValue(r -> r.secretId("accessed/db"));
    sm.batchGetSecretValue(r -> r.secretIdList("accessed/db"));
    List<String> laterReads = objectWrites();

    assertThat(neverRead).isNull();
    assertThat(firstRead)
        .containsExactly(
            "PATCH /apis/managedsecrets.dev/v1alpha1/namespaces/default/managedsecrets/"
                + ms.getMetadata().getName());
    assertThat(laterReads).isEmpty();
    assertThat(sm.describeSecret(r -> r.secretId("accessed/db")).lastAccessedDate())
        .isEqualTo(today());
    assertThat(listed("accessed/db").lastAccessedDate()).isEqualTo(today());
    assertThat(
            cluster
                .client
                .resources(ManagedSecret.class)
                .inNamespace("default")
                .withName(ms.getMetadata().getName())
                .get()
                .getMetadata()
                .getGeneration())
        .isEqualTo(ms.getMetadata().getGeneration());
  }

  @Test
  void aReadOnTheNextDayMovesTheDateAndABatchReadCountsAsARead() {
    sm.createSecret(r -> r.name("accessed/daily").secretString("daily-value"));
    EndpointSdkIT.object(cluster, "accessed/daily");
    sm.getSecretValue(r -> r.secretId("accessed/daily"));
    Instant firstDay = today();

    cluster.clock.advance(Duration.ofDays(1));
    objectWrites();
    sm.batchGetSecretValue(r -> r.secretIdList("accessed/daily"));
    List<String> nextDay = objectWrites();

    assertThat(nextDay).hasSize(1);
    assertThat(sm.describeSecret(r -> r.secretId("accessed/daily")).lastAccessedDate())
        .isEqualTo(today())
        .isEqualTo(firstDay.plus(Duration.ofDays(1)));
    assertThat(listed("accessed/daily").lastAccessedDate()).isEqualTo(today());
  }

  @Test
  void describingOrListingASecretIsNoAccess() {
    sm.createSecret(r -> r.name("accessed/never").secretString("unread-value"));
    EndpointSdkIT.object(cluster, "accessed/never");
    objectWrites();

    sm.describeSecret(r -> r.secretId("accessed/never"));
    sm.listSecretVersionIds(r -> r.secretId("accessed/never"));

    assertThat(objectWrites()).isEmpty();
    assertThat(listed("accessed/never").lastAccessedDate()).isNull();
  }
}
