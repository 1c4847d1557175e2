package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitReady;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.ready;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.SecretSource;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.api.v1alpha1.TargetSpec;
import dev.managedsecrets.apiserver.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input gets Ready=False with the AWS exception name and a message a person can act on; what
 * was stored before is kept, and the operator keeps serving other resources.
 *
 * <p>The API server refuses most bad specs at apply time through the CRD's schema and CEL rules
 * ({@link #cluster}: the test checks the refusal). The operator checks them again, because a
 * cluster can hold a CRD that does not (an older one that {@code helm upgrade} left in place, or
 * objects stored before a rule was added): {@link #withoutAdmission} is an API server without
 * admission, so that those specs reach the operator and its own answer is checked too.
 */
class BadInputIT {

  /** The embedded API server as it is: admission by the CRD's schema and CEL rules. */
  static TestCluster cluster;

  /** An API server that stores what the CRD refuses, to reach the operator's own checks. */
  static TestCluster withoutAdmission;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start();
    withoutAdmission = TestCluster.start(EmbeddedApiServer.Options::withoutAdmission);
  }

  @AfterAll
  static void stop() {
    if (withoutAdmission != null) {
      withoutAdmission.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  static Stream<Arguments> badSpecs() {
    return Stream.of(
        bad(
            "bad-name",
            s -> {
              s.secretName = "has a space";
              s.secretString = "v";
            },
            "ValidationException",
            "Invalid name. Must be a valid name containing alphanumeric characters",
            "spec.secretName in body should match"),
        bad(
            "too-long-name",
            s -> {
              s.secretName = "n".repeat(513);
              s.secretString = "v";
            },
            "ValidationException",
            "Invalid name.",
            "spec.secretName: Too long: may not be more than 512 bytes"),
        bad(
            "both-values",
            s -> {
              s.secretString = "v";
              s.secretBinary = "AAEC";
            },
            "InvalidParameterException",
            "You can't specify both a binary secret value and a string secret value in the same secret.",
            "You can't specify both a binary secret value and a string secret value in the same secret."),
        bad(
            "too-big",
            s -> s.secretString = "x".repeat(65537),
            "ValidationException",
            "Member must have length between 1 and 65536",
            "spec.secretString: Too long: may not be more than 65536 bytes"),
        bad(
            "too-many-tags",
            s -> {
              s.secretString = "v";
              s.tags = tags(51);
            },
            "ValidationException",
            "Member must have length less than or equal to 50",
            "spec.tags: Too many: 51: must have at most 50 items"),
        bad(
            "aws-tag",
            s -> {
              s.secretString = "v";
              s.tags = List.of(new Tag("aws:owner", "me"));
            },
            "InvalidParameterException",
            "aws:, which is reserved",
            "Tag keys starting with aws: are reserved for AWS use."),
        bad(
            "service-account-token",
            s -> {
              s.secretString = "v";
              s.target = new TargetSpec();
              s.target.type = "kubernetes.io/service-account-token";
            },
            "InvalidParameterException",
            "target.type kubernetes.io/service-account-token can't be projected",
            "spec.target.type in body should match"),
        bad(
            "window-and-force",
            s -> {
              s.secretString = "v";
              s.recoveryWindowInDays = 7;
              s.forceDeleteWithoutRecovery = true;
            },
            "InvalidParameterException",
            "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
            "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."),
        bad(
            "missing-source",
            s -> {
              s.fromSecret = new SecretSource();
              s.fromSecret.name = "does-not-exist";
            },
            "ResourceNotFoundException",
            "Secret does-not-exist was not found in namespace default (fromSecret)"),
        bad(
            "bad-template",
            s -> {
              s.data = java.util.Map.of("user", "u");
              s.target = new TargetSpec();
              s.target.template = java.util.Map.of("URL", "{{host}}");
            },
            "InvalidParameterException",
            "target.template.URL: its placeholder 1 names a key the value does not have"),
        bad(
            "template-language-loop",
            s -> {
              s.data = java.util.Map.of("user", "u");
              s.target = new TargetSpec();
              s.target.templates = new dev.managedsecrets.api.v1alpha1.TemplatesSpec();
              s.target.templates.engineVersion = "v1";
              s.target.templates.data =
                  java.util.Map.of(
                      "T", "{% for i in range(0, 2000000000) %}{{ user }}{% endfor %}");
            },
            "ValidationException",
            "target.templates.data.T (line 1): the template is not a valid template"),
        bad(
            "template-language-growth",
            s -> {
              s.data = java.util.Map.of("k", "x".repeat(50_000));
              s.target = new TargetSpec();
              s.target.templates = new dev.managedsecrets.api.v1alpha1.TemplatesSpec();
              s.target.templates.engineVersion = "v1";
              // Each b64enc makes 4/3 of its input: 40 of them would make 5 GB.
              s.target.templates.data =
                  java.util.Map.of("T", "{{ k" + " | b64enc".repeat(40) + " }}");
            },
            "ValidationException",
            "b64enc would take the templates' functions past 4194304 characters of output"),
        bad(
            "template-both-fields",
            s -> {
              s.data = java.util.Map.of("user", "u");
              s.target = new TargetSpec();
              s.target.template = java.util.Map.of("A", "{{user}}");
              s.target.templates = new dev.managedsecrets.api.v1alpha1.TemplatesSpec();
              s.target.templates.engineVersion = "v1";
              s.target.templates.data = java.util.Map.of("B", "{{ user }}");
            },
            "InvalidParameterException",
            "Use target.template ({{key}} substitution) or target.templates (the template"
                + " language), not both.",
            "Use target.template ({{key}} substitution) or target.templates (the template"
                + " language), not both."),
        bad(
            "data-value-too-big",
            s -> s.data = java.util.Map.of("big", "x".repeat(600_000)),
            "ValidationException",
            "Member must have length less than or equal to 65536",
            "Too long: may not be more than 65536 bytes"),
        bad(
            "data-together-too-big",
            s -> s.data = java.util.Map.of("a", "x".repeat(40_000), "b", "y".repeat(40_000)),
            "ValidationException",
            "1 validation error detected: Value at 'secretString' failed to satisfy constraint:"
                + " Member must have length less than or equal to 65536"),
        bad(
            "generated-too-big",
            s -> s.generate = generated(17, 4096),
            "ValidationException",
            "Member must have length less than or equal to 65536"),
        bad(
            "template-too-big",
            s -> {
              s.data = java.util.Map.of("k", "x".repeat(50_000));
              s.target = new TargetSpec();
              // 13,000 references to a 50 KB key: 650 MB rendered, from a 65 KB template.
              s.target.template = java.util.Map.of("BOMB", "{{k}}".repeat(13_000));
            },
            "ValidationException",
            "Value at 'target.template' failed to satisfy constraint: Member must have length"
                + " less than or equal to 1048576"),
        bad(
            "template-text-too-long",
            s -> {
              s.data = java.util.Map.of("k", "v".repeat(10));
              s.target = new TargetSpec();
              // 1.5 MB of template, 3 MB rendered.
              s.target.template = java.util.Map.of("T", "{{k}}".repeat(300_000));
            },
            "ValidationException",
            "less than or equal to 1048576",
            "Too long: may not be more than 65536 bytes"),
        bad(
            "unknown-key",
            s -> {
              s.secretString = "v";
              s.kmsKeyId = "alias/nope";
            },
            "ResourceNotFoundException",
            "The KMS key alias/nope was not found"));
  }

  /**
   * A spec the CRD refuses is refused at apply time with the CRD's message (the refusal, when not
   * null); behind an API server that stores it, and for the specs the CRD admits, the operator
   * answers Ready=False with the AWS exception name.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("badSpecs")
  void badSpecIsNotReadyWithTheAwsExceptionName(
      String name,
      Consumer<ManagedSecretSpec> spec,
      String reason,
      String message,
      String refusal) {
    TestCluster target = cluster;
    if (refusal != null) {
      assertRefused(() -> create(cluster.client, managedSecret("default", name, spec)), refusal);
      assertThat(get(cluster.client, "default", name)).as("stored").isNull();
      target = withoutAdmission;
    }
    create(target.client, managedSecret("default", name, spec));
    ManagedSecret ms = awaitReady(target.client, "default", name, "False", reason);
    assertThat(ready(ms).getMessage()).contains(message);
    assertThat(secret(target.client, "default", name)).isNull();
    assertThat(target.client.v1().events().inNamespace("default").list().getItems())
        .anyMatch(
            e ->
                "Warning".equals(e.getType())
                    && reason.equals(e.getReason())
                    && name.equals(e.getInvolvedObject().getName()));
  }

  @Test
  void aBadChangeKeepsTheStoredVersionAndTheProjectedSecret() {
    // The API server refuses the change: the object stays as it was.
    create(cluster.client, managedSecret("team-a", "refused", s -> s.secretString = "good"));
    ManagedSecret synced = awaitSynced(cluster.client, "team-a", "refused");
    assertRefused(
        () -> edit(cluster.client, "team-a", "refused", s -> s.secretBinary = "AAEC"),
        "You can't specify both a binary secret value and a string secret value");
    ManagedSecret unchanged = get(cluster.client, "team-a", "refused");
    assertThat(unchanged.getSpec().secretBinary).isNull();
    assertThat(unchanged.getMetadata().getGeneration())
        .isEqualTo(synced.getMetadata().getGeneration());

    // Stored anyway (no admission): the operator keeps what it stored before.
    TestCluster lenient = withoutAdmission;
    create(lenient.client, managedSecret("team-a", "keeps", s -> s.secretString = "good"));
    ManagedSecret good = awaitSynced(lenient.client, "team-a", "keeps");

    edit(lenient.client, "team-a", "keeps", s -> s.secretBinary = "AAEC");
    ManagedSecret bad =
        awaitReady(lenient.client, "team-a", "keeps", "False", "InvalidParameterException");
    assertThat(bad.getStatus().versionId).isEqualTo(good.getStatus().versionId);
    assertThat(bad.getStatus().arn).isEqualTo(good.getStatus().arn);
    assertThat(text(secret(lenient.client, "team-a", "keeps")))
        .containsEntry("secretString", "good");

    edit(lenient.client, "team-a", "keeps", s -> s.secretBinary = null);
    ManagedSecret fixed = awaitSynced(lenient.client, "team-a", "keeps");
    assertThat(fixed.getStatus().versionId).isEqualTo(good.getStatus().versionId);
  }

  @Test
  void aBadChangeTheCrdAdmitsKeepsTheStoredVersionAndTheProjectedSecret() {
    create(cluster.client, managedSecret("team-a", "keeps-key", s -> s.secretString = "good"));
    ManagedSecret good = awaitSynced(cluster.client, "team-a", "keeps-key");

    edit(cluster.client, "team-a", "keeps-key", s -> s.kmsKeyId = "alias/nope");
    ManagedSecret bad =
        awaitReady(cluster.client, "team-a", "keeps-key", "False", "ResourceNotFoundException");
    assertThat(bad.getStatus().versionId).isEqualTo(good.getStatus().versionId);
    assertThat(bad.getStatus().arn).isEqualTo(good.getStatus().arn);
    assertThat(text(secret(cluster.client, "team-a", "keeps-key")))
        .containsEntry("secretString", "good");

    edit(cluster.client, "team-a", "keeps-key", s -> s.kmsKeyId = null);
    ManagedSecret fixed = awaitSynced(cluster.client, "team-a", "keeps-key");
    assertThat(fixed.getStatus().versionId).isEqualTo(good.getStatus().versionId);
  }

  @Test
  void aSecretTheOperatorDoesNotOwnIsNeverOverwritten() {
    cluster
        .client
        .secrets()
        .inNamespace("team-b")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("precious")
                .endMetadata()
                .addToData("mine", Fixtures.b64("do not touch"))
                .build())
        .create();
    create(cluster.client, managedSecret("team-b", "precious", s -> s.secretString = "other"));
    ManagedSecret ms =
        awaitReady(cluster.client, "team-b", "precious", "False", "ResourceExistsException");
    assertThat(ready(ms).getMessage())
        .contains("Secret precious already exists and is not managed by this ManagedSecret");
    assertThat(text(secret(cluster.client, "team-b", "precious")))
        .containsExactly(java.util.Map.entry("mine", "do not touch"));
    assertThat(secret(cluster.client, "team-b", "precious").getMetadata().getOwnerReferences())
        .isNullOrEmpty();
  }

  @Test
  void twoManagedSecretsWithOneSecretNameTheOlderKeepsIt() {
    create(
        cluster.client,
        managedSecret(
            "team-b",
            "first",
            s -> {
              s.secretName = "shared/Name";
              s.secretString = "1";
            }));
    awaitSynced(cluster.client, "team-b", "first");
    create(
        cluster.client,
        managedSecret(
            "team-b",
            "second",
            s -> {
              s.secretName = "shared/Name";
              s.secretString = "2";
            }));
    ManagedSecret second =
        awaitReady(cluster.client, "team-b", "second", "False", "ResourceExistsException");
    assertThat(ready(second).getMessage())
        .isEqualTo(
            "The operation failed because the secret shared/Name already exists. It belongs to ManagedSecret first in this namespace.");
    assertThat(text(secret(cluster.client, "team-b", "first"))).containsEntry("secretString", "1");
    assertThat(secret(cluster.client, "team-b", "second")).isNull();
  }

  @Test
  void theOperatorKeepsServingOtherResourcesWhileOneIsBad() {
    // A spec the CRD admits and the operator cannot serve: a template with a key the value lacks.
    create(
        cluster.client,
        managedSecret(
            "team-a",
            "broken",
            s -> {
              s.data = java.util.Map.of("user", "u");
              s.target = new TargetSpec();
              s.target.template = java.util.Map.of("URL", "{{host}}");
            }));
    create(cluster.client, managedSecret("team-a", "healthy", s -> s.secretString = "fine"));
    awaitReady(cluster.client, "team-a", "broken", "False", "InvalidParameterException");
    awaitSynced(cluster.client, "team-a", "healthy");
    assertThat(text(secret(cluster.client, "team-a", "healthy")))
        .containsEntry("secretString", "fine");

    // One the CRD refuses, stored anyway (no admission).
    TestCluster lenient = withoutAdmission;
    create(
        lenient.client,
        managedSecret(
            "team-a",
            "broken",
            s -> {
              s.secretString = "v";
              s.secretBinary = "AAEC";
            }));
    create(lenient.client, managedSecret("team-a", "healthy", s -> s.secretString = "fine"));
    awaitReady(lenient.client, "team-a", "broken", "False", "InvalidParameterException");
    awaitSynced(lenient.client, "team-a", "healthy");
    assertThat(text(secret(lenient.client, "team-a", "healthy")))
        .containsEntry("secretString", "fine");
  }

  @Test
  void aTemplateThatWouldRenderHundredsOfMegabytesIsRefusedAndTheOperatorKeepsReconciling() {
    create(cluster.client, managedSecret("team-b", "before", s -> s.secretString = "one"));
    awaitSynced(cluster.client, "team-b", "before");
    create(
        cluster.client,
        managedSecret(
            "team-b",
            "bomb",
            s -> {
              s.data = java.util.Map.of("payload-5e2c", "p".repeat(50_000));
              s.target = new TargetSpec();
              s.target.template = java.util.Map.of("BOMB", "{{payload-5e2c}}".repeat(4_000));
            }));

    ManagedSecret bomb =
        awaitReady(cluster.client, "team-b", "bomb", "False", "ValidationException");
    assertThat(ready(bomb).getMessage())
        .contains("less than or equal to 1048576")
        .doesNotContain("payload-5e2c")
        .doesNotContain("ppp");
    assertThat(secret(cluster.client, "team-b", "bomb")).isNull();

    // The operator is up: a new ManagedSecret and a change of an old one are reconciled.
    create(cluster.client, managedSecret("team-b", "after", s -> s.secretString = "two"));
    edit(cluster.client, "team-b", "before", s -> s.secretString = "three");
    awaitSynced(cluster.client, "team-b", "after");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                "three"
                    .equals(text(secret(cluster.client, "team-b", "before")).get("secretString")));
    assertThat(text(secret(cluster.client, "team-b", "after")))
        .containsEntry("secretString", "two");
  }

  @Test
  void aFromSecretSourceLargerThanAValueIsRefusedAndNothingIsStored() {
    cluster
        .client
        .secrets()
        .inNamespace("team-b")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("large-source")
                .endMetadata()
                .addToData("blob-0d4e", b64(new byte[600_000]))
                .build())
        .create();
    create(
        cluster.client,
        managedSecret(
            "team-b",
            "from-large",
            s -> {
              s.fromSecret = new SecretSource();
              s.fromSecret.name = "large-source";
            }));

    ManagedSecret refused =
        awaitReady(cluster.client, "team-b", "from-large", "False", "ValidationException");
    assertThat(ready(refused).getMessage())
        .isEqualTo(
            "1 validation error detected: Value at 'fromSecret' failed to satisfy constraint:"
                + " Member must have length less than or equal to 65536: the data taken from"
                + " Secret large-source is larger than a secret value may be.");
    assertThat(refused.getStatus().versionId).isNull();
    assertThat(new StoreView(cluster.client).record("team-b", "team-b/from-large")).isEmpty();
    assertThat(secret(cluster.client, "team-b", "from-large")).isNull();

    // The source shrinks within the bound: it is taken at the next reconcile (a refusal is
    // terminal, so that is the next change of the ManagedSecret).
    cluster
        .client
        .secrets()
        .inNamespace("team-b")
        .withName("large-source")
        .edit(
            s -> {
              s.setData(java.util.Map.of("blob-0d4e", Fixtures.b64("small enough")));
              return s;
            });
    edit(cluster.client, "team-b", "from-large", s -> s.description = "smaller source");
    awaitSynced(cluster.client, "team-b", "from-large");
    assertThat(secret(cluster.client, "team-b", "from-large").getData()).containsKey("blob-0d4e");
  }

  /** The API server refuses the write as invalid (422), with this text among its causes. */
  private static void assertRefused(Runnable write, String refusal) {
    assertThatThrownBy(write::run)
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).as("HTTP status").isEqualTo(422);
              assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
              assertThat(e.getMessage()).contains(refusal);
            });
  }

  /** A spec the CRD admits: the operator's answer is checked on the API server as it is. */
  private static Arguments bad(
      String name, Consumer<ManagedSecretSpec> spec, String reason, String message) {
    return Arguments.of(name, spec, reason, message, null);
  }

  /** A spec the CRD refuses with {@code refusal}. */
  private static Arguments bad(
      String name,
      Consumer<ManagedSecretSpec> spec,
      String reason,
      String message,
      String refusal) {
    return Arguments.of(name, spec, reason, message, refusal);
  }

  private static List<Tag> tags(int n) {
    List<Tag> tags = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      tags.add(new Tag("k" + i, "v"));
    }
    return tags;
  }

  private static java.util.Map<String, GenerateSpec> generated(int keys, int length) {
    java.util.Map<String, GenerateSpec> out = new java.util.TreeMap<>();
    for (int i = 0; i < keys; i++) {
      GenerateSpec g = new GenerateSpec();
      g.passwordLength = length;
      out.put("password-" + i, g);
    }
    return out;
  }

  static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
