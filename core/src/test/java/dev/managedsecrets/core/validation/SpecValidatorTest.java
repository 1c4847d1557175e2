package dev.managedsecrets.core.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedsecrets.api.v1alpha1.DatabaseSpec;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.PreviousValueSpec;
import dev.managedsecrets.api.v1alpha1.ReplicaRegion;
import dev.managedsecrets.api.v1alpha1.RolloutRestartTarget;
import dev.managedsecrets.api.v1alpha1.SecretSource;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.api.v1alpha1.TargetSpec;
import dev.managedsecrets.api.v1alpha1.WorkloadSelector;
import dev.managedsecrets.core.names.Names;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpecValidatorTest {

  private static final String INVALID_NAME =
      "Invalid name. Must be a valid name containing alphanumeric characters, or any of the"
          + " following: -/_+=.@!";
  private static final String BOTH_VALUES =
      "You can't specify both a binary secret value and a string secret value in the same secret.";
  private static final String SECRET_STRING_LENGTH =
      "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member"
          + " must have length between 1 and 65536";
  private static final String SECRET_BINARY_LENGTH =
      "1 validation error detected: Value at 'secretBinary' failed to satisfy constraint: Member"
          + " must have length between 1 and 65536";
  private static final String WHOLE_AND_KEY_VALUES =
      "A whole value (secretString, secretBinary, fromSecret, sealedSecretString or"
          + " sealedSecretBinary) can't be combined with key/value fields (data, sealedData,"
          + " generate, database).";
  private static final String RECOVERY_WINDOW =
      "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).";
  private static final String FORCE_AND_WINDOW =
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.";

  private static ManagedSecret ms(Consumer<ManagedSecretSpec> settings) {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    settings.accept(spec);
    ManagedSecret ms = new ManagedSecret();
    ms.setMetadata(
        new ObjectMetaBuilder().withNamespace("team-a").withName("db").withUid("uid-1").build());
    ms.setSpec(spec);
    return ms;
  }

  private static SecretsManagerException refused(ManagedSecret ms) {
    SecretsManagerException e =
        catchThrowableOfType(SecretsManagerException.class, () -> SpecValidator.validate(ms));
    assertThat(e).as("the spec must be refused").isNotNull();
    return e;
  }

  private static void assertRefused(
      Consumer<ManagedSecretSpec> settings, AwsError error, String message) {
    SecretsManagerException e = refused(ms(settings));
    assertThat(e.error()).isEqualTo(error);
    assertThat(e.getMessage()).isEqualTo(message);
    assertThat(e.toString()).isEqualTo(error.exceptionName() + ": " + message);
  }

  private static void assertAccepted(Consumer<ManagedSecretSpec> settings) {
    assertThatCode(() -> SpecValidator.validate(ms(settings))).doesNotThrowAnyException();
  }

  private static List<Tag> tags(int n) {
    List<Tag> tags = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      tags.add(new Tag("key" + i, "value" + i));
    }
    return tags;
  }

  private static DatabaseSpec db(String engine, String host, String dbname) {
    DatabaseSpec d = new DatabaseSpec();
    d.engine = engine;
    d.host = host;
    d.dbname = dbname;
    return d;
  }

  private static TargetSpec target(Consumer<TargetSpec> settings) {
    TargetSpec t = new TargetSpec();
    settings.accept(t);
    return t;
  }

  // ---- names

  @Test
  void defaultNameIsNamespaceSlashNameAndIsValid() {
    ManagedSecret ms = ms(s -> {});

    assertThat(Names.secretName(ms)).isEqualTo("team-a/db");
    assertThatCode(() -> SpecValidator.validate(ms)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"my secret", "name#1", "a:b", "tab\tname", "ünïcode", "semi;colon", "!"})
  void nameWithInvalidCharactersIsValidationException(String name) {
    assertRefused(s -> s.secretName = name, AwsError.VALIDATION_EXCEPTION, INVALID_NAME);
  }

  @Test
  void nameWithEveryAllowedCharacterIsAccepted() {
    assertAccepted(s -> s.secretName = "Prod/My_App+x=y.z@corp-1");
  }

  @Test
  void emptyNameIsValidationException() {
    assertRefused(s -> s.secretName = "", AwsError.VALIDATION_EXCEPTION, INVALID_NAME);
  }

  @Test
  void nameOf512CharactersIsAcceptedAnd513Refused() {
    assertAccepted(s -> s.secretName = "a".repeat(512));
    assertRefused(s -> s.secretName = "a".repeat(513), AwsError.VALIDATION_EXCEPTION, INVALID_NAME);
  }

  @Test
  void nameEndingLikeAnArnSuffixIsOnlyFlagged() {
    assertThat(Names.looksLikeArnSuffix("prod/db-AbC123")).isTrue();
    assertThat(Names.looksLikeArnSuffix("prod/db")).isFalse();
    assertThat(Names.looksLikeArnSuffix("prod/db-AbC12")).isFalse();
    assertAccepted(s -> s.secretName = "prod/db-AbC123");
  }

  // ---- values

  @Test
  void bothSecretStringAndSecretBinaryIsInvalidParameterWithAwsText() {
    assertRefused(
        s -> {
          s.secretString = "x";
          s.secretBinary = "eA==";
        },
        AwsError.INVALID_PARAMETER_EXCEPTION,
        BOTH_VALUES);
  }

  @Test
  void secretStringOf65536BytesIsAcceptedAndOneMoreRefused() {
    assertAccepted(s -> s.secretString = "a".repeat(65536));
    assertRefused(
        s -> s.secretString = "a".repeat(65537),
        AwsError.VALIDATION_EXCEPTION,
        SECRET_STRING_LENGTH);
  }

  @Test
  void secretStringIsMeasuredInUtf8Bytes() {
    // 32769 two-byte characters: 65538 bytes
    assertRefused(
        s -> s.secretString = "é".repeat(32769),
        AwsError.VALIDATION_EXCEPTION,
        SECRET_STRING_LENGTH);
    assertAccepted(s -> s.secretString = "é".repeat(32768));
  }

  @Test
  void emptySecretStringIsValidationException() {
    assertRefused(s -> s.secretString = "", AwsError.VALIDATION_EXCEPTION, SECRET_STRING_LENGTH);
  }

  @ParameterizedTest
  @ValueSource(strings = {"not base64!", "eA=", "@@@@", "eA==eA=="})
  void secretBinaryThatIsNotBase64IsInvalidParameter(String binary) {
    assertRefused(
        s -> s.secretBinary = binary,
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "secretBinary is not valid base64: encode the bytes with standard base64.");
  }

  @Test
  void secretBinaryOf65536BytesIsAcceptedAndOneMoreRefused() {
    String max = Base64.getEncoder().encodeToString(new byte[65536]);
    String over = Base64.getEncoder().encodeToString(new byte[65537]);

    assertAccepted(s -> s.secretBinary = max);
    assertRefused(s -> s.secretBinary = over, AwsError.VALIDATION_EXCEPTION, SECRET_BINARY_LENGTH);
  }

  @Test
  void emptySecretBinaryIsValidationException() {
    assertRefused(s -> s.secretBinary = "", AwsError.VALIDATION_EXCEPTION, SECRET_BINARY_LENGTH);
  }

  @Test
  void wholeValueMixedWithDataIsInvalidParameter() {
    assertRefused(
        s -> {
          s.secretString = "x";
          s.data = Map.of("a", "b");
        },
        AwsError.INVALID_PARAMETER_EXCEPTION,
        WHOLE_AND_KEY_VALUES);
  }

  @Test
  void wholeValueMixedWithGenerateOrDatabaseIsInvalidParameter() {
    assertRefused(
        s -> {
          s.secretBinary = "eA==";
          s.generate = Map.of("p", new GenerateSpec());
        },
        AwsError.INVALID_PARAMETER_EXCEPTION,
        WHOLE_AND_KEY_VALUES);
    assertRefused(
        s -> {
          s.fromSecret = new SecretSource();
          s.fromSecret.name = "src";
          s.database = db("postgres", "h", null);
        },
        AwsError.INVALID_PARAMETER_EXCEPTION,
        WHOLE_AND_KEY_VALUES);
  }

  @Test
  void secretStringWithFromSecretIsInvalidParameter() {
    assertRefused(
        s -> {
          s.secretString = "x";
          s.fromSecret = new SecretSource();
          s.fromSecret.name = "src";
        },
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "Only one of secretString, secretBinary, fromSecret, sealedSecretString and"
            + " sealedSecretBinary may be set.");
  }

  @Test
  void fromSecretMustNameASecret() {
    assertRefused(
        s -> {
          s.fromSecret = new SecretSource();
          s.fromSecret.name = "Other_NS/src";
        },
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "fromSecret.name must name a Secret in the ManagedSecret's namespace.");
    assertRefused(
        s -> s.fromSecret = new SecretSource(),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "fromSecret.name must name a Secret in the ManagedSecret's namespace.");
  }

  private static final String STORE_AND_SPEC_VALUE =
      "valueSource Store keeps the value in the store: it can't be combined with a value field"
          + " (secretString, secretBinary, fromSecret, data, generate, database, sealedData,"
          + " sealedSecretString, sealedSecretBinary), versionStages or clientRequestToken.";

  @Test
  void aValueInTheStoreAloneIsAccepted() {
    assertAccepted(s -> s.valueSource = "Store");
    assertAccepted(s -> s.valueSource = "Spec");
    assertAccepted(
        s -> {
          s.valueSource = "Spec";
          s.secretString = "v";
        });
  }

  @Test
  void aValueInTheStoreWithAValueFieldSealedOrNotStagesOrTokenIsInvalidParameter() {
    List<Consumer<ManagedSecretSpec>> mixes =
        List.of(
            s -> s.secretString = "v",
            s -> s.secretBinary = "dg==",
            s -> {
              s.fromSecret = new SecretSource();
              s.fromSecret.name = "source";
            },
            s -> s.data = Map.of("k", "v"),
            s -> s.generate = Map.of("k", new GenerateSpec()),
            s -> s.database = db("postgres", "db", null),
            s -> s.sealedData = Map.of("k", "msv1.AAAA"),
            s -> s.sealedSecretString = "msv1.AAAA",
            s -> s.sealedSecretBinary = "msv1.AAAA",
            s -> s.versionStages = Map.of("AWSCURRENT", "v1"),
            s -> s.clientRequestToken = "t".repeat(32));
    for (Consumer<ManagedSecretSpec> mix : mixes) {
      assertRefused(
          s -> {
            s.valueSource = "Store";
            mix.accept(s);
          },
          AwsError.INVALID_PARAMETER_EXCEPTION,
          STORE_AND_SPEC_VALUE);
    }
  }

  @Test
  void aValueSourceOtherThanSpecOrStoreIsInvalidParameter() {
    assertRefused(
        s -> s.valueSource = "Endpoint",
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "valueSource must be Spec or Store; it is Endpoint.");
  }

  @Test
  void keyInBothDataAndGenerateIsInvalidParameter() {
    assertRefused(
        s -> {
          s.data = Map.of("password", "x");
          s.generate = Map.of("password", new GenerateSpec());
        },
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "data and generate have a key in common: give each key once (data, sealedData, generate and"
            + " database make one JSON object).");
  }

  @Test
  void keyInDataThatDatabaseAlsoSetsIsInvalidParameter() {
    assertRefused(
        s -> {
          s.data = Map.of("host", "other");
          s.database = db("postgres", "h", null);
        },
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "data and database have a key in common: give each key once (data, sealedData, generate and"
            + " database make one JSON object).");
  }

  @Test
  void generatedKeyThatDatabaseAlsoSetsIsInvalidParameter() {
    assertRefused(
        s -> {
          s.generate = Map.of("port", new GenerateSpec());
          s.database = db("mysql", "h", null);
        },
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "generate and database have a key in common: give each key once (data, sealedData, generate and"
            + " database make one JSON object).");
  }

  @Test
  void oracleWithoutDbnameIsInvalidParameter() {
    assertRefused(
        s -> s.database = db("oracle", "h", null),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "database.dbname is required for engine oracle.");
    assertAccepted(s -> s.database = db("oracle", "h", "ORCL"));
  }

  @Test
  void unknownEngineIsInvalidParameter() {
    assertRefused(
        s -> s.database = db("db2", "h", null),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "database.engine db2 is not supported: use postgres, aurora-postgresql, mysql,"
            + " aurora-mysql, mariadb, oracle, sqlserver, mongo or redshift.");
  }

  @Test
  void databaseWithoutHostIsInvalidParameter() {
    assertRefused(
        s -> s.database = db("postgres", null, null),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "database needs engine and host.");
  }

  @Test
  void generatePasswordLengthOutOfRangeIsInvalidParameterWithoutNamingTheKey() {
    GenerateSpec g = new GenerateSpec();
    g.passwordLength = 4097;
    assertRefused(
        s -> s.generate = Map.of("a", new GenerateSpec(), "password", g),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "In generate entry 2 of 2 (in sorted order): passwordLength must be between 1 and 4096.");
  }

  // ---- metadata

  @Test
  void descriptionOver2048IsValidationException() {
    assertAccepted(s -> s.description = "d".repeat(2048));
    assertRefused(
        s -> s.description = "d".repeat(2049),
        AwsError.VALIDATION_EXCEPTION,
        "1 validation error detected: Value at 'description' failed to satisfy constraint:"
            + " Member must have length less than or equal to 2048");
  }

  @Test
  void clientRequestTokenMustBe32To64Characters() {
    String message =
        "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint:"
            + " Member must have length between 32 and 64";
    assertAccepted(s -> s.clientRequestToken = "t".repeat(32));
    assertAccepted(s -> s.clientRequestToken = "t".repeat(64));
    assertRefused(
        s -> s.clientRequestToken = "t".repeat(31), AwsError.VALIDATION_EXCEPTION, message);
    assertRefused(
        s -> s.clientRequestToken = "t".repeat(65), AwsError.VALIDATION_EXCEPTION, message);
  }

  // ---- tags

  @Test
  void fiftyTagsAreAcceptedAndFiftyOneRefused() {
    assertAccepted(s -> s.tags = tags(50));
    assertRefused(
        s -> s.tags = tags(51),
        AwsError.VALIDATION_EXCEPTION,
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must"
            + " have length less than or equal to 50");
  }

  @ParameterizedTest
  @ValueSource(strings = {"aws:x", "AWS:x", "Aws:cost-center", "aws:"})
  void tagKeyWithTheReservedAwsPrefixIsInvalidParameter(String key) {
    assertRefused(
        s -> s.tags = List.of(new Tag(key, "v")),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "Tag key " + key + " starts with aws:, which is reserved for AWS use.");
  }

  @Test
  void tagKeyContainingAwsElsewhereIsAccepted() {
    assertAccepted(s -> s.tags = List.of(new Tag("team:aws", "v"), new Tag("awsx", "v")));
  }

  @Test
  void tagKeyOver128IsValidationException() {
    String message =
        "1 validation error detected: Value at 'tags.key' failed to satisfy constraint: Member"
            + " must have length between 1 and 128";
    assertAccepted(s -> s.tags = List.of(new Tag("k".repeat(128), "v")));
    assertRefused(
        s -> s.tags = List.of(new Tag("k".repeat(129), "v")),
        AwsError.VALIDATION_EXCEPTION,
        message);
    assertRefused(s -> s.tags = List.of(new Tag("", "v")), AwsError.VALIDATION_EXCEPTION, message);
  }

  @Test
  void tagValueOver256IsValidationException() {
    assertAccepted(s -> s.tags = List.of(new Tag("k", "v".repeat(256)), new Tag("e", null)));
    assertRefused(
        s -> s.tags = List.of(new Tag("k", "v".repeat(257))),
        AwsError.VALIDATION_EXCEPTION,
        "1 validation error detected: Value at 'tags.value' failed to satisfy constraint: Member"
            + " must have length less than or equal to 256");
  }

  @Test
  void duplicateTagKeyIsInvalidParameter() {
    assertRefused(
        s -> s.tags = List.of(new Tag("env", "a"), new Tag("env", "b")),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "Tag key env is given twice.");
  }

  @Test
  void tagKeysAreCaseSensitive() {
    assertAccepted(s -> s.tags = List.of(new Tag("env", "a"), new Tag("Env", "b")));
  }

  // ---- deletion

  @ParameterizedTest
  @ValueSource(ints = {6, 31, 0, -1})
  void recoveryWindowOutside7To30IsInvalidParameter(int days) {
    assertRefused(
        s -> s.recoveryWindowInDays = days, AwsError.INVALID_PARAMETER_EXCEPTION, RECOVERY_WINDOW);
  }

  @ParameterizedTest
  @ValueSource(ints = {7, 30})
  void recoveryWindowOf7And30IsAccepted(int days) {
    assertAccepted(s -> s.recoveryWindowInDays = days);
  }

  @Test
  void forceDeleteWithRecoveryWindowIsInvalidParameter() {
    assertRefused(
        s -> {
          s.forceDeleteWithoutRecovery = true;
          s.recoveryWindowInDays = 7;
        },
        AwsError.INVALID_PARAMETER_EXCEPTION,
        FORCE_AND_WINDOW);
  }

  @Test
  void forceDeleteAloneOrFalseWithWindowIsAccepted() {
    assertAccepted(s -> s.forceDeleteWithoutRecovery = true);
    assertAccepted(
        s -> {
          s.forceDeleteWithoutRecovery = false;
          s.recoveryWindowInDays = 10;
        });
  }

  // ---- target

  @Test
  void serviceAccountTokenTargetTypeIsRefused() {
    assertRefused(
        s -> s.target = target(t -> t.type = "kubernetes.io/service-account-token"),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "target.type kubernetes.io/service-account-token can't be projected: use Opaque,"
            + " kubernetes.io/basic-auth, kubernetes.io/dockerconfigjson, kubernetes.io/tls or"
            + " kubernetes.io/ssh-auth.");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "bootstrap.kubernetes.io/token",
        "kubernetes.io/dockercfg",
        "opaque",
        "helm.sh/release.v1",
        ""
      })
  void targetTypesOutsideTheAllowListAreRefused(String type) {
    SecretsManagerException e = refused(ms(s -> s.target = target(t -> t.type = type)));

    assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    assertThat(e.getMessage()).startsWith("target.type " + type + " can't be projected");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Opaque",
        "kubernetes.io/basic-auth",
        "kubernetes.io/dockerconfigjson",
        "kubernetes.io/tls",
        "kubernetes.io/ssh-auth"
      })
  void allowedTargetTypesAreAccepted(String type) {
    assertAccepted(s -> s.target = target(t -> t.type = type));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Bad_Name", "UPPER", "-leading", "trailing-", "a..b", "has space"})
  void invalidTargetNameIsInvalidParameter(String name) {
    assertRefused(
        s -> s.target = target(t -> t.name = name),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "target.name " + name + " is not a valid Secret name (a DNS subdomain).");
  }

  @Test
  void targetNameOver253IsInvalidParameter() {
    String name = "a".repeat(254);
    assertAccepted(s -> s.target = target(t -> t.name = "a".repeat(253)));
    assertRefused(
        s -> s.target = target(t -> t.name = name),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "target.name " + name + " is not a valid Secret name (a DNS subdomain).");
  }

  @Test
  void targetNameDefaultsToMetadataName() {
    assertThat(Names.targetName(ms(s -> {}))).isEqualTo("db");
    assertThat(Names.targetName(ms(s -> s.target = target(t -> t.name = "other"))))
        .isEqualTo("other");
  }

  @Test
  void templateKeyThatIsNotASecretKeyIsInvalidParameter() {
    assertRefused(
        s -> s.target = target(t -> t.template = Map.of("bad key", "{{username}}")),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "target.template key bad key is not a valid Secret key ([-._a-zA-Z0-9]+).");
  }

  @Test
  void rolloutRestartEntriesNeedAWorkloadKindAndExactlyOneOfNameAndSelector() {
    assertAccepted(
        s ->
            s.target =
                target(
                    t ->
                        t.rolloutRestart =
                            List.of(
                                new RolloutRestartTarget("Deployment", "api"),
                                selecting("DaemonSet", Map.of("app", "agent")))));
    RolloutRestartTarget both = new RolloutRestartTarget("Deployment", "api");
    both.selector = new WorkloadSelector(Map.of("app", "api"));
    RolloutRestartTarget neither = new RolloutRestartTarget("StatefulSet", null);
    for (RolloutRestartTarget bad : List.of(both, neither)) {
      assertRefused(
          s -> s.target = target(t -> t.rolloutRestart = List.of(bad)),
          AwsError.INVALID_PARAMETER_EXCEPTION,
          "A rolloutRestart entry needs exactly one of name and selector.");
    }
    assertRefused(
        s ->
            s.target =
                target(t -> t.rolloutRestart = List.of(new RolloutRestartTarget("Pod", "api"))),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "target.rolloutRestart kind must be Deployment, StatefulSet or DaemonSet.");
  }

  @Test
  void previousValueTakesAGracePeriodOfOneMinuteTo720HoursAndASuffixOfSecretKeyCharacters() {
    for (String grace : List.of("1m", "90m", "43200m", "1h", "24h", "720h")) {
      assertAccepted(
          s -> s.target = target(t -> t.previousValue = new PreviousValueSpec(grace, "_OLD")));
    }
    assertAccepted(s -> s.target = target(t -> t.previousValue = new PreviousValueSpec()));
    for (String grace : List.of("0m", "43201m", "721h", "0h", "1d", "24", "1h30m", "-1h")) {
      assertRefused(
          s -> s.target = target(t -> t.previousValue = new PreviousValueSpec(grace, null)),
          AwsError.INVALID_PARAMETER_EXCEPTION,
          "target.previousValue.gracePeriod must be a whole number of minutes or hours from 1m to"
              + " 720h, such as 90m or 24h.");
    }
    for (String suffix : List.of("", "/old", "x".repeat(64), " old")) {
      assertRefused(
          s -> s.target = target(t -> t.previousValue = new PreviousValueSpec(null, suffix)),
          AwsError.INVALID_PARAMETER_EXCEPTION,
          "target.previousValue.keySuffix must be 1-63 characters of a Secret key"
              + " ([-._a-zA-Z0-9]).");
    }
  }

  @Test
  void aTemplateKeyThatIsAnotherTemplateKeyWithThePreviousSuffixIsRefused() {
    assertRefused(
        s -> s.target = urlTemplates(null),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "target.template key url_PREVIOUS is the key of the previous version's url under"
            + " target.previousValue.keySuffix: choose another keySuffix.");
    assertAccepted(s -> s.target = urlTemplates("-old"));
  }

  /** Templates url and url_PREVIOUS, and the previous version under {@code suffix}. */
  private static TargetSpec urlTemplates(String suffix) {
    return target(
        t -> {
          t.template = Map.of("url", "{{host}}", "url_PREVIOUS", "{{host}}");
          t.previousValue = new PreviousValueSpec(null, suffix);
        });
  }

  @Test
  void rolloutRestartIsBoundedInEntriesNamesAndLabels() {
    List<RolloutRestartTarget> many = new ArrayList<>();
    for (int i = 0; i < 21; i++) {
      many.add(new RolloutRestartTarget("Deployment", "app-" + i));
    }
    assertAccepted(s -> s.target = target(t -> t.rolloutRestart = many.subList(0, 20)));
    assertRefused(
        s -> s.target = target(t -> t.rolloutRestart = many),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "target.rolloutRestart has 21 entries; at most 20 are allowed.");
    assertRefused(
        s ->
            s.target =
                target(
                    t ->
                        t.rolloutRestart =
                            List.of(new RolloutRestartTarget("Deployment", "Bad_Name"))),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "target.rolloutRestart name Bad_Name is not a valid workload name.");
    Map<String, String> labels = new java.util.HashMap<>();
    for (int i = 0; i < 17; i++) {
      labels.put("k" + i, "v");
    }
    for (Map<String, String> bad :
        List.of(Map.<String, String>of(), labels, Map.of("k", "v".repeat(64)))) {
      assertRefused(
          s -> s.target = target(t -> t.rolloutRestart = List.of(selecting("Deployment", bad))),
          AwsError.INVALID_PARAMETER_EXCEPTION,
          "target.rolloutRestart selector.matchLabels must have 1-16 labels, keys of 1-317"
              + " characters and values of at most 63.");
    }
  }

  private static RolloutRestartTarget selecting(String kind, Map<String, String> labels) {
    RolloutRestartTarget t = new RolloutRestartTarget(kind, null);
    t.selector = new WorkloadSelector(labels);
    return t;
  }

  // ---- a valid spec

  @Test
  void aValidFullSpecPasses() {
    ManagedSecret ms =
        ms(
            s -> {
              s.secretName = "prod/orders/db";
              s.description = "Orders database credentials";
              s.kmsKeyId = "alias/managedsecrets";
              s.data = new LinkedHashMap<>(Map.of("username", "orders_app"));
              GenerateSpec password = new GenerateSpec();
              password.passwordLength = 32;
              password.excludeCharacters = "/@\"'\\:";
              s.generate = Map.of("password", password);
              s.database = db("postgres", "orders.db.svc", "orders");
              s.clientRequestToken = "0123456789abcdef0123456789abcdef";
              s.tags = List.of(new Tag("team", "orders"), new Tag("env", "prod"));
              s.recoveryWindowInDays = 7;
              s.target =
                  target(
                      t -> {
                        t.name = "orders-db";
                        t.type = "kubernetes.io/basic-auth";
                        t.labels = Map.of("app", "orders");
                        t.annotations = Map.of("owner", "orders-team");
                        t.template =
                            Map.of("DATABASE_URL", "postgres://{{username}}@{{host}}/{{dbname}}");
                      });
            });

    assertThatCode(() -> SpecValidator.validate(ms)).doesNotThrowAnyException();
  }

  private static final String SEALED = "msv1.bXN2AQAgAAEAAgEQ";

  @Test
  void aKeyInBothDataAndSealedDataIsInvalidParameterNamingTheFieldsNotTheKey() {
    assertRefused(
        s -> {
          s.data = Map.of("password", "x");
          s.sealedData = Map.of("password", SEALED);
        },
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "data and sealedData have a key in common: give each key once (data, sealedData, generate"
            + " and database make one JSON object).");
    assertRefused(
        s -> {
          s.sealedData = Map.of("port", SEALED);
          s.database = db("mysql", "h", null);
        },
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "sealedData and database have a key in common: give each key once (data, sealedData,"
            + " generate and database make one JSON object).");
    assertAccepted(
        s -> {
          s.data = Map.of("username", "x");
          s.sealedData = Map.of("password", SEALED);
          s.generate = Map.of("token", new GenerateSpec());
        });
  }

  @Test
  void aSealedWholeValueIsOneOfTheWholeValuesAndIsNotCombinedWithKeyValues() {
    assertRefused(
        s -> {
          s.sealedSecretString = SEALED;
          s.sealedData = Map.of("a", SEALED);
        },
        AwsError.INVALID_PARAMETER_EXCEPTION,
        WHOLE_AND_KEY_VALUES);
    assertRefused(
        s -> {
          s.sealedSecretBinary = SEALED;
          s.data = Map.of("a", "b");
        },
        AwsError.INVALID_PARAMETER_EXCEPTION,
        WHOLE_AND_KEY_VALUES);
    assertRefused(
        s -> {
          s.sealedSecretString = SEALED;
          s.secretString = "x";
        },
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "Only one of secretString, secretBinary, fromSecret, sealedSecretString and"
            + " sealedSecretBinary may be set.");
    assertAccepted(s -> s.sealedSecretBinary = SEALED);
  }

  @Test
  void theSealedScopeIsStrictOrNamespaceWide() {
    assertAccepted(
        s -> {
          s.sealedScope = "namespace-wide";
          s.sealedData = Map.of("a", SEALED);
        });
    assertRefused(
        s -> {
          s.sealedScope = "cluster-wide";
          s.sealedData = Map.of("a", SEALED);
        },
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "sealedScope must be strict or namespace-wide.");
  }

  @Test
  void sealedValuesAreBoundedBeforeAnythingIsOpened() {
    String longest = "msv1." + "A".repeat(SpecValidator.MAX_SEALED_CHARACTERS - 5);
    assertAccepted(s -> s.sealedSecretString = longest);
    assertRefused(
        s -> s.sealedSecretString = longest + "A",
        AwsError.VALIDATION_EXCEPTION,
        "1 validation error detected: Value at 'sealedSecretString' failed to satisfy constraint:"
            + " Member must have length between 1 and 87600");
    assertRefused(
        s -> s.sealedData = Map.of("k", longest + "A"),
        AwsError.VALIDATION_EXCEPTION,
        "1 validation error detected: Value at 'sealedData' failed to satisfy constraint: Member"
            + " must have length between 1 and 87600");
    Map<String, String> many = new LinkedHashMap<>();
    for (int i = 0; i < 257; i++) {
      many.put("k" + i, SEALED);
    }
    assertRefused(
        s -> s.sealedData = many,
        AwsError.VALIDATION_EXCEPTION,
        "1 validation error detected: Value at 'sealedData' failed to satisfy constraint: Member"
            + " must have at most 256 keys");
  }

  @Test
  void isSecretKeyFollowsKubernetesDataKeyRules() {
    assertThat(SpecValidator.isSecretKey("tls.crt")).isTrue();
    assertThat(SpecValidator.isSecretKey(".dockerconfigjson")).isTrue();
    assertThat(SpecValidator.isSecretKey("A_b-9")).isTrue();
    assertThat(SpecValidator.isSecretKey("a".repeat(253))).isTrue();
    assertThat(SpecValidator.isSecretKey("a".repeat(254))).isFalse();
    assertThat(SpecValidator.isSecretKey("a/b")).isFalse();
    assertThat(SpecValidator.isSecretKey("")).isFalse();
  }

  // ---- replica regions ----

  private static final Regions US_EAST_1 =
      new Regions("us-east-1", List.of("eu-west-1", "ap-south-1"));

  private static SecretsManagerException refusedIn(Regions regions, Consumer<ManagedSecretSpec> s) {
    ManagedSecret ms = ms(s);
    SecretsManagerException e =
        catchThrowableOfType(
            SecretsManagerException.class, () -> SpecValidator.validate(ms, Names.of(ms), regions));
    assertThat(e).as("the spec must be refused").isNotNull();
    return e;
  }

  private static List<ReplicaRegion> replicas(String... regions) {
    List<ReplicaRegion> out = new ArrayList<>();
    for (String r : regions) {
      out.add(new ReplicaRegion(r, null));
    }
    return out;
  }

  @Test
  void replicaRegionsThatArePeersAreAccepted() {
    ManagedSecret ms =
        ms(
            s -> {
              s.secretString = "v";
              s.replicaRegions =
                  List.of(
                      new ReplicaRegion("eu-west-1", "alias/orders"),
                      new ReplicaRegion("ap-south-1", null));
              s.forceOverwriteReplicaSecret = true;
            });
    assertThatCode(() -> SpecValidator.validate(ms, Names.of(ms), US_EAST_1))
        .doesNotThrowAnyException();
  }

  @Test
  void theOperatorsOwnRegionAsAReplicaRegionIsAnInvalidReplicaRegion() {
    SecretsManagerException e = refusedIn(US_EAST_1, s -> s.replicaRegions = replicas("us-east-1"));
    assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    assertThat(e.getMessage()).isEqualTo("Invalid replica region.");
  }

  @Test
  void aRegionThatIsNotAPeerIsRefusedNamingItAndTheConfiguredPeers() {
    SecretsManagerException e =
        refusedIn(US_EAST_1, s -> s.replicaRegions = replicas("eu-west-1", "us-west-2"));
    assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    assertThat(e.getMessage())
        .isEqualTo(
            "Replica region us-west-2 is not a peer region of this operator; its peer regions are"
                + " eu-west-1, ap-south-1 (the chart value config.replication.peers).");
  }

  @Test
  void withNoPeersConfiguredAReplicaRegionIsRefusedSayingHowToConfigureThem() {
    SecretsManagerException e =
        refusedIn(new Regions("local", List.of()), s -> s.replicaRegions = replicas("eu-west-1"));
    assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    assertThat(e.getMessage())
        .isEqualTo(
            "Replica region eu-west-1 is not a peer region of this operator, which has none: list"
                + " the regions it may replicate to in the chart value config.replication.peers.");
  }

  @Test
  void withoutTheOperatorsRegionsReplicaRegionsAreCheckedForTheirShapeOnly() {
    assertAccepted(s -> s.replicaRegions = replicas("eu-west-1", "us-east-1"));
    assertRefused(
        s -> s.replicaRegions = replicas("eu-west-1", "eu-west-1"),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "Each replica region may be listed only once.");
    assertRefused(
        s -> s.replicaRegions = replicas("EU_WEST"),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "Invalid replica region.");
    assertRefused(
        s -> s.replicaRegions = replicas((String) null),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "Invalid replica region.");
    assertRefused(
        s ->
            s.replicaRegions =
                replicas("a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "b0"),
        AwsError.VALIDATION_EXCEPTION,
        "1 validation error detected: Value at 'replicaRegions' failed to satisfy constraint:"
            + " Member must have length less than or equal to 10");
    assertRefused(
        s -> s.replicaRegions = List.of(new ReplicaRegion("eu-west-1", "k".repeat(2049))),
        AwsError.VALIDATION_EXCEPTION,
        "1 validation error detected: Value at 'replicaRegions.kmsKeyId' failed to satisfy"
            + " constraint: Member must have length less than or equal to 2048");
  }

  @Test
  void aRegionListedTwiceIsRefusedBeforeItIsCheckedAgainstThePeers() {
    SecretsManagerException e =
        refusedIn(US_EAST_1, s -> s.replicaRegions = replicas("eu-west-1", "eu-west-1"));
    assertThat(e.getMessage()).isEqualTo("Each replica region may be listed only once.");
  }
}
