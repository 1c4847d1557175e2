package dev.managedsecrets.operator.endpoint;

import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.core.secret.SecretIds;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueInput;
import dev.managedsecrets.core.value.ValueSize;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** The request members several operations share, read and checked as AWS checks them. */
final class Members {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9/_+=.@-]{1,512}");

  private Members() {}

  /**
   * The secret a request names: an ARN, or a name of the characters a name may have. Another name
   * is ValidationException, as AWS answers it for every operation, before anything is looked up.
   */
  static String secretId(Input in) {
    String id = in.required("SecretId", 1, 2048);
    try {
      return SecretIds.require(id);
    } catch (SecretsManagerException e) {
      throw invalidName();
    }
  }

  private static AwsException invalidName() {
    return AwsException.validation(SecretIds.INVALID_NAME);
  }

  static String token(Input in) {
    return in.optional("ClientRequestToken", 32, 64);
  }

  /** A new secret's name: 1-512 of letters, digits and /_+=.@- (ValidationException). */
  static String name(Input in) {
    String name = in.required("Name", 1, 512);
    if (!NAME.matcher(name).matches()) {
      throw invalidName();
    }
    return name;
  }

  /** SecretString or SecretBinary as the value of a new version; null when neither is given. */
  static ValueInput.Whole value(Input in) {
    String text = in.string("SecretString");
    byte[] binary = in.blob("SecretBinary");
    if (text != null && binary != null) {
      throw AwsException.invalidParameter(
          "You can't specify both a binary secret value and a string secret value in the same"
              + " secret.");
    }
    if (text != null) {
      int bytes = text.getBytes(StandardCharsets.UTF_8).length;
      if (text.isEmpty() || bytes > ValueSize.MAX_BYTES) {
        throw AwsException.validation(
            "1 validation error detected: Value at 'secretString' failed to satisfy constraint:"
                + " Member must have length between 1 and "
                + ValueSize.MAX_BYTES);
      }
      return new ValueInput.Whole(SecretValue.text(text));
    }
    if (binary != null) {
      if (binary.length == 0 || binary.length > ValueSize.MAX_BYTES) {
        throw AwsException.validation(
            "1 validation error detected: Value at 'secretBinary' failed to satisfy constraint:"
                + " Member must have length between 1 and "
                + ValueSize.MAX_BYTES);
      }
      return new ValueInput.Whole(new SecretValue(binary, true));
    }
    return null;
  }

  /** Tags as AWS bounds them: at most 50, keys 1-128 (no aws: prefix, none twice), values 0-256. */
  static List<Tag> tags(Input in, String member) {
    List<Input> items = in.structures(member, 50);
    if (items == null) {
      return null;
    }
    List<Tag> tags = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Input item : items) {
      String key = item.required("Key", 1, 128);
      String value = item.optional("Value", 0, 256);
      if (key.toLowerCase(Locale.ROOT).startsWith("aws:")) {
        throw AwsException.invalidParameter(
            "Tag key " + key + " starts with aws:, which is reserved for AWS use.");
      }
      if (!seen.add(key)) {
        throw AwsException.invalidParameter("Tag key " + key + " is given twice.");
      }
      tags.add(new Tag(key, value == null ? "" : value));
    }
    return tags;
  }
}
