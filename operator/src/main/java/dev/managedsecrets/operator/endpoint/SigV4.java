package dev.managedsecrets.operator.endpoint;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4SignerParams;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;

/**
 * Checks a request's AWS Signature Version 4 (the Authorization header) the way AWS does: the
 * signature is computed again over the headers the caller signed, with the AWS SDK's own signer
 * (its clock fixed to the request's X-Amz-Date) and the secret key of the access key the caller
 * names, and compared in constant time. A date more than 15 minutes from now, another key, another
 * body or a missing part is refused with AWS's exception and words.
 */
final class SigV4 {

  static final String SERVICE = "secretsmanager";
  static final Duration WINDOW = Duration.ofMinutes(15);

  /** The longest Authorization header looked at (AWS's are a few hundred characters). */
  static final int MAX_AUTHORIZATION = 4096;

  private static final String ALGORITHM = "AWS4-HMAC-SHA256";
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

  private final AccessKeys keys;
  private final PodCredentials pods;
  private final String region;
  private final Clock clock;

  /**
   * @param pods the issuer of pod credentials, whose session tokens a request may carry (null:
   *     none)
   */
  SigV4(AccessKeys keys, PodCredentials pods, String region, Clock clock) {
    this.keys = keys;
    this.pods = pods;
    this.region = region;
    this.clock = clock;
  }

  /** The verified signature's key; or the AWS exception that refuses the request. */
  AccessKeys.AccessKey verify(HttpCall call) {
    List<String> authorization = call.header("Authorization");
    if (authorization.isEmpty()) {
      throw new AwsException(
          "MissingAuthenticationTokenException", 400, "Missing Authentication Token");
    }
    String header = authorization.get(0);
    if (authorization.size() > 1 || header.length() > MAX_AUTHORIZATION) {
      throw AwsException.incompleteSignature(
          "The request must carry one Authorization header of at most "
              + MAX_AUTHORIZATION
              + " characters.");
    }
    Authorization auth = Authorization.parse(header);
    String amzDate = call.first("X-Amz-Date");
    List<String> missing = new ArrayList<>();
    if (auth.credential() == null) {
      missing.add("Authorization header requires 'Credential' parameter.");
    }
    if (auth.signature() == null) {
      missing.add("Authorization header requires 'Signature' parameter.");
    }
    if (auth.signedHeaders() == null) {
      missing.add("Authorization header requires 'SignedHeaders' parameter.");
    }
    if (amzDate == null) {
      missing.add(
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }
    if (!missing.isEmpty()) {
      throw AwsException.incompleteSignature(
          String.join(" ", missing) + " Authorization=" + header);
    }
    String[] scope = auth.credential().split("/", -1);
    if (scope.length != 5) {
      throw AwsException.incompleteSignature(
          "Credential should have exactly 5 slash-delimited elements, e.g."
              + " keyid/date/region/service/term, got '"
              + auth.credential()
              + "'");
    }
    List<String> signed = List.of(auth.signedHeaders().split(";", -1));
    if (!signed.contains("host")) {
      throw AwsException.incompleteSignature(
          "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }
    Instant date = date(amzDate);
    checkWindow(date, amzDate);
    String session = call.first("X-Amz-Security-Token");
    AccessKeys.AccessKey key =
        (session == null || pods == null ? keys.find(scope[0]) : pods.key(scope[0], session))
            .orElseThrow(
                () ->
                    new AwsException(
                        "UnrecognizedClientException",
                        400,
                        "The security token included in the request is invalid."));
    checkScope(scope, amzDate);
    String expected = signature(call, key, signed, date, scope[2]);
    if (!MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.US_ASCII),
        auth.signature().getBytes(StandardCharsets.US_ASCII))) {
      throw AwsException.invalidSignature(
          "The request signature we calculated does not match the signature you provided. Check"
              + " your AWS Secret Access Key and signing method. Consult the service documentation"
              + " for details.");
    }
    return key;
  }

  private static Instant date(String amzDate) {
    try {
      return Instant.from(AMZ_DATE.parse(amzDate));
    } catch (DateTimeParseException e) {
      throw AwsException.incompleteSignature(
          "Date must be in ISO-8601 'basic format'. Got '"
              + amzDate
              + "'. See http://en.wikipedia.org/wiki/ISO_8601");
    }
  }

  private void checkWindow(Instant date, String amzDate) {
    Instant now = clock.instant();
    if (date.isBefore(now.minus(WINDOW))) {
      throw AwsException.invalidSignature(
          "Signature expired: "
              + amzDate
              + " is now earlier than "
              + AMZ_DATE.format(now.minus(WINDOW))
              + " ("
              + AMZ_DATE.format(now)
              + " - 15 min.)");
    }
    if (date.isAfter(now.plus(WINDOW))) {
      throw AwsException.invalidSignature(
          "Signature not yet current: "
              + amzDate
              + " is still later than "
              + AMZ_DATE.format(now.plus(WINDOW))
              + " ("
              + AMZ_DATE.format(now)
              + " + 15 min.)");
    }
  }

  private void checkScope(String[] scope, String amzDate) {
    if (!amzDate.startsWith(scope[1]) || scope[1].length() != 8) {
      throw AwsException.invalidSignature(
          "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from"
              + " HTTP: '"
              + scope[1]
              + "' != '"
              + amzDate.substring(0, Math.min(8, amzDate.length()))
              + "', from '"
              + amzDate
              + "'.");
    }
    if (!region.equals(scope[2])) {
      throw AwsException.invalidSignature(
          "Credential should be scoped to a valid region, not '" + scope[2] + "'. ");
    }
    if (!SERVICE.equals(scope[3])) {
      throw AwsException.invalidSignature(
          "Credential should be scoped to correct service: '" + SERVICE + "'. ");
    }
    if (!"aws4_request".equals(scope[4])) {
      throw AwsException.invalidSignature(
          "Credential should be scoped with a valid terminator: 'aws4_request', not '"
              + scope[4]
              + "'. ");
    }
  }

  /**
   * The signature the AWS SDK's signer makes of the request with the key, over the headers the
   * caller signed. The SDK's current signer ({@link AwsV4HttpSigner}) always signs
   * x-amz-content-sha256, as the SDKs of today send it; clients that do not (botocore: the AWS CLI
   * and boto3) are checked with the SDK's {@link Aws4Signer}, which signs the headers given.
   */
  @SuppressWarnings("deprecation")
  private static String signature(
      HttpCall call,
      AccessKeys.AccessKey key,
      List<String> signedHeaders,
      Instant date,
      String scopeRegion) {
    String host = call.first("Host");
    if (host == null) {
      throw AwsException.incompleteSignature(
          "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }
    SdkHttpFullRequest.Builder request =
        SdkHttpFullRequest.builder()
            .method(method(call.method()))
            .protocol(call.scheme())
            .host(hostName(host))
            .encodedPath(call.rawPath())
            .contentStreamProvider(ContentStreamProvider.fromByteArrayUnsafe(call.body()));
    Integer port = port(host);
    if (port != null) {
      request.port(port);
    }
    query(call.rawQuery()).forEach(request::appendRawQueryParameter);
    for (String name : signedHeaders) {
      List<String> values = call.header(name);
      if (!values.isEmpty()) {
        request.putHeader(name.equals("host") ? "Host" : name, values);
      }
    }
    Clock at = Clock.fixed(date, ZoneOffset.UTC);
    String computed;
    try {
      if (signedHeaders.contains("x-amz-content-sha256")) {
        computed =
            SIGNER
                .sign(
                    r ->
                        r.identity(
                                AwsCredentialsIdentity.create(
                                    key.accessKeyId(), key.secretAccessKey()))
                            .request(request.build())
                            .payload(ContentStreamProvider.fromByteArrayUnsafe(call.body()))
                            .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, SERVICE)
                            .putProperty(AwsV4HttpSigner.REGION_NAME, scopeRegion)
                            .putProperty(HttpSigner.SIGNING_CLOCK, at))
                .request()
                .firstMatchingHeader("Authorization")
                .orElse("");
      } else {
        computed =
            Aws4Signer.create()
                .sign(
                    request.build(),
                    Aws4SignerParams.builder()
                        .awsCredentials(
                            AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey()))
                        .signingName(SERVICE)
                        .signingRegion(Region.of(scopeRegion))
                        .signingClockOverride(at)
                        .build())
                .firstMatchingHeader("Authorization")
                .orElse("");
      }
    } catch (RuntimeException e) {
      throw AwsException.incompleteSignature("The request can't be signed as it is given.");
    }
    int found = computed.indexOf("Signature=");
    return found < 0 ? "" : computed.substring(found + "Signature=".length());
  }

  private static SdkHttpMethod method(String method) {
    try {
      return SdkHttpMethod.fromValue(method);
    } catch (IllegalArgumentException e) {
      throw AwsException.incompleteSignature("The method " + method + " can't be signed.");
    }
  }

  private static String hostName(String host) {
    int colon = host.lastIndexOf(':');
    return colon > host.lastIndexOf(']') ? host.substring(0, colon) : host;
  }

  private static Integer port(String host) {
    int colon = host.lastIndexOf(':');
    if (colon <= host.lastIndexOf(']')) {
      return null;
    }
    try {
      return Integer.valueOf(host.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw AwsException.incompleteSignature("The Host header's port is not a number.");
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        out.put(
            URLDecoder.decode(name, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw AwsException.incompleteSignature("The query string is not URL-encoded.");
      }
    }
    return out;
  }

  /** The parts of an Authorization header: algorithm, Credential, SignedHeaders, Signature. */
  record Authorization(String credential, String signedHeaders, String signature) {

    static Authorization parse(String header) {
      int space = header.indexOf(' ');
      String algorithm = space < 0 ? header : header.substring(0, space);
      if (!ALGORITHM.equals(algorithm)) {
        throw AwsException.incompleteSignature(
            "Unsupported AWS 'algorithm': '" + algorithm + "'. Use " + ALGORITHM + ".");
      }
      Map<String, String> params = new LinkedHashMap<>();
      for (String part : header.substring(space + 1).split(",")) {
        int eq = part.indexOf('=');
        if (eq > 0) {
          params.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
        }
      }
      return new Authorization(
          params.get("Credential"), params.get("SignedHeaders"), params.get("Signature"));
    }
  }
}
