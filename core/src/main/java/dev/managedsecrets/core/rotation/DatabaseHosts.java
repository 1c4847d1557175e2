package dev.managedsecrets.core.rotation;

import dev.managedsecrets.core.secret.SecretsManagerException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The allow-list of database hosts the operator may connect to with a tenant's credentials (its
 * configuration's {@code rotation.databaseHosts}). A host is matched as the value names it, with no
 * DNS lookup: a name exactly or by a wildcard of one or more labels ({@code *.example.com}), an IP
 * address exactly or by a CIDR block. Empty: no host is allowed.
 */
public final class DatabaseHosts {

  /** The setting's name, as the refusal names it. */
  public static final String SETTING =
      "rotation.databaseHosts (env MANAGEDSECRET_ROTATION_DATABASE_HOSTS)";

  private static final Pattern NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*");
  private static final Pattern IP_LITERAL = Pattern.compile("[0-9a-fA-F:.]+");
  private static final int MAX_PATTERNS = 1000;

  private record Entry(String name, String suffix, byte[] network, int prefix) {}

  private final List<Entry> entries;

  private DatabaseHosts(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * The allow-list of these patterns.
   *
   * @throws IllegalArgumentException a pattern that is none of the forms, naming it
   */
  public static DatabaseHosts of(List<String> patterns) {
    if (patterns.size() > MAX_PATTERNS) {
      throw new IllegalArgumentException("at most " + MAX_PATTERNS + " patterns");
    }
    List<Entry> entries = new ArrayList<>();
    for (String raw : patterns) {
      String p = normalise(raw);
      int slash = p.indexOf('/');
      if (slash >= 0) {
        byte[] network = ip(p.substring(0, slash));
        int prefix = prefix(p.substring(slash + 1), network, raw);
        entries.add(new Entry(null, null, network, prefix));
      } else if (ip(p) != null) {
        byte[] address = ip(p);
        entries.add(new Entry(null, null, address, address.length * 8));
      } else if (p.startsWith("*.") && NAME.matcher(p.substring(2)).matches()) {
        entries.add(new Entry(null, p.substring(1), null, 0));
      } else if (NAME.matcher(p).matches() && p.length() <= 253) {
        entries.add(new Entry(p, null, null, 0));
      } else {
        throw new IllegalArgumentException(
            raw + " is not a host name, *.domain, IP address or CIDR block");
      }
    }
    return new DatabaseHosts(entries);
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** True when {@code host} matches a pattern. */
  public boolean allows(String host) {
    if (host == null || host.isEmpty() || host.length() > 253) {
      return false;
    }
    String h = normalise(host);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    byte[] address = ip(h);
    boolean name = address == null && NAME.matcher(h).matches();
    for (Entry e : entries) {
      if (name && e.name() != null && e.name().equals(h)) {
        return true;
      }
      if (name && e.suffix() != null && h.endsWith(e.suffix())) {
        return true;
      }
      if (address != null && e.network() != null && within(address, e.network(), e.prefix())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Refuses a host not on the list.
   *
   * @throws SecretsManagerException InvalidParameterException naming the host and the setting
   */
  public void require(String host) {
    if (isEmpty()) {
      throw SecretsManagerException.invalidParameter(
          "The operator connects to no database host: its configuration's "
              + SETTING
              + " is empty. An administrator of the operator lists the database hosts it may"
              + " rotate credentials on.");
    }
    if (!allows(host)) {
      throw SecretsManagerException.invalidParameter(
          "Database host "
              + printable(host)
              + " is not in the operator's allow-list "
              + SETTING
              + ": an administrator of the operator adds it, or use a listed host.");
    }
  }

  private static String printable(String host) {
    if (host == null) {
      return "(none)";
    }
    String cut = host.length() > 253 ? host.substring(0, 253) + "..." : host;
    return cut.replaceAll("[^A-Za-z0-9.:\\[\\]_-]", "?");
  }

  private static String normalise(String s) {
    String out = s.trim().toLowerCase(Locale.ROOT);
    return out.endsWith(".") ? out.substring(0, out.length() - 1) : out;
  }

  /** The bytes of an IP literal, or null when {@code s} is not one; never a DNS lookup. */
  private static byte[] ip(String s) {
    boolean v4 =
        s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")
            && java.util.Arrays.stream(s.split("\\.")).allMatch(o -> Integer.parseInt(o) <= 255);
    boolean v6 = s.contains(":") && IP_LITERAL.matcher(s).matches();
    if (!v4 && !v6) {
      return null;
    }
    try {
      return InetAddress.getByName(s).getAddress(); // a literal: parsed, not looked up
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static int prefix(String text, byte[] network, String raw) {
    if (network == null || !text.matches("[0-9]{1,3}")) {
      throw new IllegalArgumentException(raw + " is not a CIDR block");
    }
    int prefix = Integer.parseInt(text);
    if (prefix > network.length * 8) {
      throw new IllegalArgumentException(raw + " has a prefix longer than its address");
    }
    return prefix;
  }

  private static boolean within(byte[] address, byte[] network, int prefix) {
    if (address.length != network.length) {
      return false;
    }
    int bits = address.length * 8;
    BigInteger mask =
        BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).shiftRight(prefix).not();
    BigInteger a = new BigInteger(1, address).and(mask);
    BigInteger n = new BigInteger(1, network).and(mask);
    return a.equals(n);
  }
}
