package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.SecretKeyReference;
import dev.managedsecrets.core.rotation.DatabaseHosts;
import dev.managedsecrets.core.rotation.RotationRules;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueAssembler;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import dev.managedsecrets.operator.rotation.GenerateStrategy;
import dev.managedsecrets.operator.rotation.PostgresAlternatingUsers;
import dev.managedsecrets.operator.rotation.PostgresConnector;
import dev.managedsecrets.operator.rotation.PostgresLogin;
import dev.managedsecrets.operator.rotation.PostgresSingleUser;
import dev.managedsecrets.operator.rotation.RotationStrategy;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Base64;
import java.util.Map;

/**
 * Makes the {@link RotationStrategy} a ManagedSecret's {@code spec.rotation.strategy} names, with
 * what it needs from the cluster: the CA certificates of {@code spec.database.caCertificate} (a
 * Secret of the same namespace), the administrator's login of another ManagedSecret of the same
 * namespace, and the operator's allow-list of database hosts and timeouts.
 */
final class RotationStrategies {

  /** The largest CA bundle read from a Secret. */
  static final int MAX_CA_BYTES = 64 * 1024;

  private final ValueAssembler values;
  private final SecretsManagerService secrets;
  private final PostgresConnector.Settings database;

  RotationStrategies(
      ValueAssembler values,
      SecretsManagerService secrets,
      OperatorConfig.RotationSettings settings) {
    this.values = values;
    this.secrets = secrets;
    this.database =
        new PostgresConnector.Settings(
            DatabaseHosts.of(settings.databaseHosts()),
            settings.connectTimeout(),
            settings.socketTimeout());
  }

  /** True for the strategies that connect to a database. */
  static boolean database(RotationRules rules) {
    return rules.strategy().equals(RotationRules.POSTGRES_SINGLE_USER)
        || rules.strategy().equals(RotationRules.POSTGRES_ALTERNATING_USERS);
  }

  /**
   * The database host a rotation of {@code ms} connects to: the spec's, else the one AWSCURRENT's
   * value names; null when the strategy connects to none.
   */
  String host(ManagedSecret ms, RotationRules rules, StoredSecret stored) {
    if (!database(rules)) {
      return null;
    }
    if (ms.getSpec().database != null) {
      return ms.getSpec().database.host;
    }
    if (stored.current().isEmpty()) {
      return null;
    }
    SecretValue current = secrets.read(stored, stored.current().get());
    try {
      return PostgresLogin.of(current, "AWSCURRENT").host();
    } finally {
      current.clear();
    }
  }

  /**
   * The strategy, ready to run.
   *
   * @throws SecretsManagerException InvalidParameterException: a host not on the allow-list, a CA
   *     Secret that is not there
   */
  RotationStrategy of(ManagedSecret ms, RotationRules rules, Context<ManagedSecret> context) {
    ManagedSecretSpec spec = ms.getSpec();
    Map<String, dev.managedsecrets.api.v1alpha1.GenerateSpec> generate =
        spec.generate == null ? Map.of() : spec.generate;
    if (!database(rules)) {
      return new GenerateStrategy(values, generate, new CertificateIssuers(secrets, ms, context));
    }
    requireAllowedHost(spec, rules);
    SecretKeyReference rotationCa = spec.rotation == null ? null : spec.rotation.caCertificate;
    if (spec.database != null && rotationCa != null) {
      throw SecretsManagerException.invalidParameter(
          "spec.rotation.caCertificate is for a value that lives in the store; this ManagedSecret"
              + " has spec.database: set the CA in spec.database.caCertificate instead.");
    }
    byte[] ca;
    if (spec.database != null && spec.database.caCertificate != null) {
      ca = caCertificates(ms, "spec.database.caCertificate", spec.database.caCertificate, context);
    } else if (rotationCa != null) {
      ca = caCertificates(ms, "spec.rotation.caCertificate", rotationCa, context);
    } else {
      ca = null;
    }
    PostgresConnector db = new PostgresConnector(database, ca);
    if (rules.strategy().equals(RotationRules.POSTGRES_SINGLE_USER)) {
      return new PostgresSingleUser(values, generate, db);
    }
    return new PostgresAlternatingUsers(
        values, generate, db, masterArn -> administrator(ms, masterArn, context));
  }

  /**
   * Refuses a database strategy while the allow-list is empty, or when the spec's database host is
   * not on it; no I/O, so it runs on every reconcile (a host in a value the store owns is checked
   * when the rotation connects).
   *
   * @throws SecretsManagerException InvalidParameterException naming the setting
   */
  void requireAllowedHost(ManagedSecretSpec spec, RotationRules rules) {
    if (database(rules) && (database.hosts().isEmpty() || spec.database != null)) {
      database.hosts().require(spec.database == null ? null : spec.database.host);
    }
  }

  private static byte[] caCertificates(
      ManagedSecret ms, String field, SecretKeyReference ref, Context<ManagedSecret> context) {
    String namespace = ms.getMetadata().getNamespace();
    Secret secret = context.getClient().secrets().inNamespace(namespace).withName(ref.name).get();
    String data = secret == null || secret.getData() == null ? null : secret.getData().get(ref.key);
    if (data == null) {
      throw SecretsManagerException.invalidParameter(
          field
              + ": Secret "
              + ref.name
              + " in namespace "
              + namespace
              + " has no key "
              + ref.key
              + ".");
    }
    byte[] pem = Base64.getDecoder().decode(data);
    if (pem.length > MAX_CA_BYTES) {
      throw SecretsManagerException.invalidParameter(
          field + ": the CA certificates are larger than " + MAX_CA_BYTES + " bytes.");
    }
    return pem;
  }

  /**
   * The administrator's value: the ManagedSecret {@code spec.rotation.masterSecret} names, else the
   * one of the namespace whose ARN is the value's masterarn.
   */
  private SecretValue administrator(
      ManagedSecret ms, String masterArn, Context<ManagedSecret> context) {
    String namespace = ms.getMetadata().getNamespace();
    String name = ms.getSpec().rotation == null ? null : ms.getSpec().rotation.masterSecret;
    ManagedSecret admin;
    if (name != null) {
      admin = context.getPrimaryCache().get(new ResourceID(name, namespace)).orElse(null);
    } else if (masterArn != null) {
      admin =
          context
              .getPrimaryCache()
              .list(namespace)
              .filter(m -> m.getStatus() != null && masterArn.equals(m.getStatus().arn))
              .findFirst()
              .orElse(null);
    } else {
      throw SecretsManagerException.invalidParameter(
          "postgres-alternating-users needs the administrator's login: set"
              + " spec.rotation.masterSecret to a ManagedSecret of this namespace, or a masterarn"
              + " in the value.");
    }
    if (admin == null
        || admin.getStatus() == null
        || admin.getStatus().arn == null
        || admin.getMetadata().getUid().equals(ms.getMetadata().getUid())) {
      throw SecretsManagerException.invalidParameter(
          "The administrator's login ("
              + (name != null ? "spec.rotation.masterSecret " + name : "the value's masterarn")
              + ") names no other ManagedSecret with a value in namespace "
              + namespace
              + ": the administrator's secret must be a ManagedSecret of the same namespace.");
    }
    StoredSecret record =
        SameNamespace.record(secrets, admin)
            .orElseThrow(
                () ->
                    SecretsManagerException.invalidParameter(
                        "The administrator's ManagedSecret has no value in the store yet."));
    return secrets.read(record, record.current().get());
  }
}
