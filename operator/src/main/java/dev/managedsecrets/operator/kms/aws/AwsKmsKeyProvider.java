package dev.managedsecrets.operator.kms.aws;

import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.operator.kms.provider.KeyProvider;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;
import software.amazon.awssdk.services.kms.model.AlreadyExistsException;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.Tag;

/**
 * The {@code aws-kms} provider: key material in AWS KMS, through the AWS SDK v2.
 *
 * <p>Each material version of a KMS key is its own symmetric AWS KMS key, reached through the alias
 * {@code <aliasPrefix><keyId>/<version>} (default prefix {@code alias/managedsecrets/}), so a data
 * key names exactly the material it was wrapped under, as with the other providers; AWS never lets
 * the material out. Creating or rotating a key makes the AWS key and its alias unless the alias
 * exists already (an administrator may make them beforehand and grant the operator only
 * DescribeKey, GenerateDataKey and Decrypt). Data keys come from GenerateDataKey (AES_256) and open
 * with Decrypt, both with the version's encryption context {SecretARN, SecretVersionId}.
 *
 * <p>AWS errors become ours: on writes EncryptionFailure, on reads DecryptionFailure, and
 * AccessDeniedException as itself; the message names the key and AWS's error code.
 */
public final class AwsKmsKeyProvider implements KeyProvider {

  public static final String NAME = "aws-kms";
  public static final String DEFAULT_ALIAS_PREFIX = "alias/managedsecrets/";
  private static final Logger LOG = LoggerFactory.getLogger(AwsKmsKeyProvider.class);

  /** The AWS region, an optional endpoint (a VPC endpoint, or a test server), the alias prefix. */
  public record Settings(String region, URI endpoint, String aliasPrefix) {}

  private final KmsClient kms;
  private final String aliasPrefix;

  public AwsKmsKeyProvider(KmsClient kms, String aliasPrefix) {
    this.kms = kms;
    this.aliasPrefix = aliasPrefix == null ? DEFAULT_ALIAS_PREFIX : aliasPrefix;
    if (!this.aliasPrefix.startsWith("alias/") || this.aliasPrefix.startsWith("alias/aws/")) {
      throw new IllegalArgumentException(
          "The AWS KMS alias prefix must start with alias/ and not alias/aws/; it is "
              + this.aliasPrefix);
    }
  }

  /** A provider with the SDK's default credentials chain (environment, web identity, IMDS). */
  public static AwsKmsKeyProvider open(Settings settings) {
    return open(settings, DefaultCredentialsProvider.builder().build());
  }

  public static AwsKmsKeyProvider open(Settings settings, AwsCredentialsProvider credentials) {
    if (settings.region() == null || settings.region().isBlank()) {
      throw new IllegalArgumentException("The aws-kms provider needs a region (kms.awsKms.region)");
    }
    KmsClientBuilder builder =
        KmsClient.builder()
            .region(Region.of(settings.region()))
            .credentialsProvider(credentials)
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(5))
                    .socketTimeout(Duration.ofSeconds(20)))
            .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(60)));
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    return new AwsKmsKeyProvider(builder.build(), settings.aliasPrefix());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public synchronized int createKey(String keyId) {
    String alias = alias(keyId, 1);
    try {
      kms.describeKey(r -> r.keyId(alias));
      return 1;
    } catch (NotFoundException absent) {
      makeKey(keyId, 1);
      return 1;
    } catch (SdkException e) {
      throw refused("DescribeKey", alias, AwsError.INTERNAL_SERVICE_ERROR, e);
    }
  }

  @Override
  public synchronized int rotate(String keyId) {
    List<Integer> versions = materialVersions(keyId);
    if (versions.isEmpty()) {
      throw new SecretsManagerException(
          AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
          "The KMS key " + keyId + " has no alias " + aliasPrefix + keyId + "/1 in AWS KMS.");
    }
    int next = versions.get(versions.size() - 1) + 1;
    makeKey(keyId, next);
    return next;
  }

  @Override
  public List<Integer> materialVersions(String keyId) {
    String prefix = aliasPrefix + keyId + "/";
    List<Integer> versions = new ArrayList<>();
    try {
      kms.listAliasesPaginator(r -> r.limit(100))
          .aliases()
          .forEach(
              a -> {
                String name = a.aliasName();
                if (name != null
                    && name.startsWith(prefix)
                    && name.substring(prefix.length()).matches("[1-9][0-9]{0,8}")) {
                  versions.add(Integer.parseInt(name.substring(prefix.length())));
                }
              });
    } catch (SdkException e) {
      throw refused("ListAliases", prefix + "*", AwsError.INTERNAL_SERVICE_ERROR, e);
    }
    Collections.sort(versions);
    return versions;
  }

  @Override
  public NewDataKey generateDataKey(String keyId, int materialVersion, EncryptionContext context) {
    String alias = alias(keyId, materialVersion);
    GenerateDataKeyResponse response;
    try {
      response =
          kms.generateDataKey(
              r -> r.keyId(alias).keySpec(DataKeySpec.AES_256).encryptionContext(context.pairs()));
    } catch (SdkException e) {
      throw refused("GenerateDataKey", alias, AwsError.ENCRYPTION_FAILURE, e);
    }
    byte[] plaintext = response.plaintext().asByteArray();
    if (plaintext.length != 32 || response.ciphertextBlob() == null) {
      Arrays.fill(plaintext, (byte) 0);
      throw new SecretsManagerException(
          AwsError.ENCRYPTION_FAILURE,
          "AWS KMS answered GenerateDataKey for " + alias + " without a 256-bit data key.");
    }
    return new NewDataKey(plaintext, response.ciphertextBlob().asByteArray());
  }

  @Override
  public byte[] decrypt(
      String keyId, int materialVersion, byte[] wrapped, EncryptionContext context) {
    String alias = alias(keyId, materialVersion);
    byte[] plaintext;
    try {
      plaintext =
          kms.decrypt(
                  r ->
                      r.keyId(alias)
                          .ciphertextBlob(SdkBytes.fromByteArray(wrapped))
                          .encryptionContext(context.pairs()))
              .plaintext()
              .asByteArray();
    } catch (SdkException e) {
      throw refused("Decrypt", alias, AwsError.DECRYPTION_FAILURE, e);
    }
    if (plaintext.length != 32) {
      Arrays.fill(plaintext, (byte) 0);
      throw new SecretsManagerException(
          AwsError.DECRYPTION_FAILURE,
          "AWS KMS answered Decrypt for " + alias + " with something that is not a data key.");
    }
    return plaintext;
  }

  @Override
  public void close() {
    kms.close();
  }

  String alias(String keyId, int version) {
    return aliasPrefix + keyId + "/" + version;
  }

  private void makeKey(String keyId, int version) {
    String alias = alias(keyId, version);
    String awsKeyId;
    try {
      awsKeyId =
          kms.createKey(
                  r ->
                      r.description(
                              "ManagedSecrets KMS key " + keyId + ", material version " + version)
                          .keySpec(KeySpec.SYMMETRIC_DEFAULT)
                          .keyUsage(KeyUsageType.ENCRYPT_DECRYPT)
                          .tags(
                              Tag.builder()
                                  .tagKey("managedsecrets.dev/key-id")
                                  .tagValue(keyId)
                                  .build(),
                              Tag.builder()
                                  .tagKey("managedsecrets.dev/material-version")
                                  .tagValue(Integer.toString(version))
                                  .build()))
              .keyMetadata()
              .keyId();
    } catch (SdkException e) {
      throw refused("CreateKey", alias, AwsError.INTERNAL_SERVICE_ERROR, e);
    }
    try {
      kms.createAlias(r -> r.aliasName(alias).targetKeyId(awsKeyId));
      LOG.info("Created AWS KMS key {} with alias {}", awsKeyId, alias);
    } catch (AlreadyExistsException raced) {
      LOG.warn(
          "Alias {} appeared while AWS KMS key {} was being made for it; that key is unused",
          alias,
          awsKeyId);
    } catch (SdkException e) {
      throw refused("CreateAlias", alias, AwsError.INTERNAL_SERVICE_ERROR, e);
    }
  }

  /** AWS's error as ours; AWS's message is left out, its error code and request id kept. */
  private static SecretsManagerException refused(
      String operation, String alias, AwsError failure, SdkException e) {
    if (e instanceof AwsServiceException ase && ase.awsErrorDetails() != null) {
      String code = ase.awsErrorDetails().errorCode();
      AwsError error =
          "AccessDeniedException".equals(code) ? AwsError.ACCESS_DENIED_EXCEPTION : failure;
      return new SecretsManagerException(
          error,
          "AWS KMS refused "
              + operation
              + " with KMS key "
              + alias
              + ": "
              + code
              + " (HTTP "
              + ase.statusCode()
              + ", request id "
              + ase.requestId()
              + ").",
          e);
    }
    return new SecretsManagerException(
        failure,
        "AWS KMS could not be reached for "
            + operation
            + " with KMS key "
            + alias
            + ": "
            + e.getMessage(),
        e);
  }
}
