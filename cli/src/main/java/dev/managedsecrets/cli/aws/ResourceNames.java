package dev.managedsecrets.cli.aws;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The ManagedSecret's metadata.name for a Secrets Manager name, which may hold characters (upper
 * case, {@code / _ + = @}) that object names cannot.
 *
 * <ol>
 *   <li>A name {@code <namespace>/<rest>} whose {@code rest} already is a valid object name maps to
 *       {@code rest}: that ManagedSecret's default secretName is the name itself, so what {@code
 *       kubectl apply} made and what the plugin makes agree.
 *   <li>Otherwise: lower case; every character outside {@code [a-z0-9.-]} becomes {@code -}; each
 *       run of {@code -} and {@code .} becomes one character ({@code .} if the run holds one, else
 *       {@code -}); at most 253 characters; leading and trailing {@code -} and {@code .} removed.
 *       {@code production/MyAwesomeAppSecret} becomes {@code production-myawesomeappsecret}.
 * </ol>
 *
 * A name that leaves nothing (only punctuation, such as {@code ///}) cannot be mapped: choose the
 * object name with --resource-name.
 */
public final class ResourceNames {

  public static final int MAX_LENGTH = 253;
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private ResourceNames() {}

  /** True when {@code name} can be a ManagedSecret's metadata.name (a DNS subdomain). */
  public static boolean valid(String name) {
    return name != null && name.length() <= MAX_LENGTH && DNS_SUBDOMAIN.matcher(name).matches();
  }

  /**
   * The object name for {@code secretName} in {@code namespace}, or null when nothing of it is
   * left.
   */
  public static String derive(String secretName, String namespace) {
    String prefix = namespace + "/";
    if (namespace != null && secretName.startsWith(prefix)) {
      String rest = secretName.substring(prefix.length());
      if (valid(rest)) {
        return rest;
      }
    }
    StringBuilder out = new StringBuilder();
    String lower = secretName.toLowerCase(Locale.ROOT);
    int i = 0;
    while (i < lower.length()) {
      char c = lower.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        out.append(c);
        i++;
        continue;
      }
      boolean dot = false;
      while (i < lower.length() && !isAlphanumeric(lower.charAt(i))) {
        dot |= lower.charAt(i) == '.';
        i++;
      }
      out.append(dot ? '.' : '-');
    }
    String name = trim(out.toString());
    if (name.length() > MAX_LENGTH) {
      name = trim(name.substring(0, MAX_LENGTH));
    }
    return name.isEmpty() ? null : name;
  }

  private static boolean isAlphanumeric(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  private static String trim(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && !isAlphanumeric(s.charAt(start))) {
      start++;
    }
    while (end > start && !isAlphanumeric(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }
}
