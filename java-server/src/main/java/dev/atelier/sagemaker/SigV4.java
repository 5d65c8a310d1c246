package dev.atelier.sagemaker;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AWS Signature Version 4 on a request, as AWS's JSON services do: the canonical request
 * rebuilt from what arrived (botocore/auth.py's rules for services other than S3: the path as
 * sent, normalized and percent-encoded again; the raw query pairs sorted; the signed headers with
 * collapsed whitespace; the body's SHA-256), the credential scope, a 15-minute clock skew window,
 * and a signature compared in constant time. Refusals carry AWS's codes.
 */
final class SigV4 {
  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  /** AWS refuses a request whose date is further than this from its clock. */
  static final Duration SKEW = Duration.ofMinutes(15);
  private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
  private static final Pattern DATE = Pattern.compile("\\d{8}");
  private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

  /** A request as received: header names in lower case, the path and query as sent. */
  record Request(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      List<String> v = headers.get(name);
      return v == null || v.isEmpty() ? null : v.get(0);
    }
  }

  /** The secret of an access key and who it belongs to. */
  record Key(String owner, String secret) {}

  /** Finds the key an access key id names, or null. */
  interface Keys {
    Key find(String accessKeyId);
  }

  /** Who signed, and the scope they signed for. */
  record Verified(String owner, String accessKeyId, String region, String service) {}

  private SigV4() {}

  /**
   * @param services the signing names this request may be scoped to ({@code sagemaker}, {@code logs})
   * @throws AwsException {@code MissingAuthenticationTokenException}, {@code IncompleteSignature},
   *     {@code UnrecognizedClientException} or {@code InvalidSignatureException}
   */
  static Verified verify(Request r, Set<String> services, Instant now, Keys keys) {
    String auth = r.header("authorization");
    if (auth == null || auth.isBlank()) {
      throw new AwsException(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
    }
    auth = auth.trim();
    if (!auth.startsWith(ALGORITHM + " ")) {
      throw incomplete("Authorization header must use " + ALGORITHM + " (Signature Version 4).");
    }
    Map<String, String> parts = new LinkedHashMap<>();
    for (String p : auth.substring(ALGORITHM.length() + 1).split(",")) {
      int eq = p.indexOf('=');
      if (eq > 0) {
        parts.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
      }
    }
    for (String required : List.of("Credential", "SignedHeaders", "Signature")) {
      if (parts.getOrDefault(required, "").isEmpty()) {
        throw incomplete("Authorization header requires '" + required + "' parameter.");
      }
    }
    String[] scope = parts.get("Credential").split("/", -1);
    if (scope.length != 5 || scope[0].isEmpty() || !DATE.matcher(scope[1]).matches()
        || !REGION.matcher(scope[2]).matches() || !"aws4_request".equals(scope[4])) {
      throw incomplete("Credential should be scoped as <access key id>/<yyyymmdd>/<region>/<service>/aws4_request,"
          + " not '" + abbreviate(parts.get("Credential")) + "'.");
    }
    List<String> signed = List.of(parts.get("SignedHeaders").split(";", -1));
    if (!signed.contains("host")) {
      throw incomplete("'Host' must be a 'SignedHeader' in the AWS Authorization.");
    }
    String amzDate = r.header("x-amz-date");
    if (amzDate == null) {
      throw incomplete("Authorization header requires existence of a 'X-Amz-Date' header.");
    }
    Instant signedAt;
    try {
      signedAt = LocalDateTime.parse(amzDate.trim(), AMZ_DATE).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw incomplete("X-Amz-Date '" + abbreviate(amzDate) + "' is not of the form yyyyMMddTHHmmssZ.");
    }
    if (!amzDate.trim().startsWith(scope[1])) {
      throw invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"
          + scope[1] + "' != '" + amzDate.trim().substring(0, 8) + "'.");
    }
    if (!services.contains(scope[3])) {
      throw invalid("Credential should be scoped to correct service: '" + String.join("' or '", services) + "'.");
    }
    Key key = keys.find(scope[0]);
    if (key == null) {
      throw new AwsException(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
    }
    if (signedAt.isBefore(now.minus(SKEW))) {
      throw invalid("Signature expired: " + amzDate.trim() + " is now earlier than "
          + AMZ_DATE.format(now.minus(SKEW).atOffset(ZoneOffset.UTC)) + " ("
          + AMZ_DATE.format(now.atOffset(ZoneOffset.UTC)) + " - 15 min.)");
    }
    if (signedAt.isAfter(now.plus(SKEW))) {
      throw invalid("Signature not yet current: " + amzDate.trim() + " is still later than "
          + AMZ_DATE.format(now.plus(SKEW).atOffset(ZoneOffset.UTC)) + " ("
          + AMZ_DATE.format(now.atOffset(ZoneOffset.UTC)) + " + 15 min.)");
    }
    String expected = signature(r, signed, amzDate.trim(), scope[1], scope[2], scope[3], key.secret());
    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        parts.get("Signature").getBytes(StandardCharsets.US_ASCII))) {
      throw invalid("The request signature we calculated does not match the signature you provided. Check your"
          + " AWS Secret Access Key and signing method. Consult the service documentation for details.");
    }
    return new Verified(key.owner(), scope[0], scope[2], scope[3]);
  }

  /** The hex signature of {@code r} over {@code signedHeaders} with {@code secret}. */
  static String signature(Request r, List<String> signedHeaders, String amzDate, String date, String region,
      String service, String secret) {
    String scope = date + "/" + region + "/" + service + "/aws4_request";
    String toSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + hex(sha256(canonicalRequest(r, signedHeaders)));
    byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
    k = hmac(k, region);
    k = hmac(k, service);
    k = hmac(k, "aws4_request");
    return hex(hmac(k, toSign));
  }

  static String canonicalRequest(Request r, List<String> signedHeaders) {
    StringBuilder c = new StringBuilder();
    c.append(r.method()).append('\n');
    c.append(encodePath(removeDotSegments(r.rawPath() == null || r.rawPath().isEmpty() ? "/" : r.rawPath())))
        .append('\n');
    c.append(canonicalQuery(r.rawQuery())).append('\n');
    for (String name : signedHeaders) {
      List<String> values = r.headers().getOrDefault(name, List.of());
      List<String> collapsed = new ArrayList<>();
      values.forEach(v -> collapsed.add(String.join(" ", v.trim().split("\\s+"))));
      c.append(name).append(':').append(String.join(",", collapsed)).append('\n');
    }
    c.append('\n').append(String.join(";", signedHeaders)).append('\n');
    String payload = r.header("x-amz-content-sha256");
    c.append(payload != null ? payload : hex(sha256(r.body())));
    return c.toString();
  }

  /** The raw {@code k=v} pairs sorted by key, then value (botocore signs the query as sent). */
  static String canonicalQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    List<String[]> pairs = new ArrayList<>();
    for (String p : rawQuery.split("&", -1)) {
      int eq = p.indexOf('=');
      pairs.add(eq < 0 ? new String[] {p, ""} : new String[] {p.substring(0, eq), p.substring(eq + 1)});
    }
    pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
    List<String> out = new ArrayList<>();
    pairs.forEach(p -> out.add(p[0] + "=" + p[1]));
    return String.join("&", out);
  }

  /** RFC 3986's remove_dot_segments as botocore applies it (empty segments drop too). */
  static String removeDotSegments(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/", -1)) {
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      if (s.equals("..")) {
        if (!out.isEmpty()) {
          out.remove(out.size() - 1);
        }
      } else {
        out.add(s);
      }
    }
    String first = path.startsWith("/") ? "/" : "";
    String last = path.endsWith("/") && !out.isEmpty() ? "/" : "";
    return first + String.join("/", out) + last;
  }

  /** Python's {@code quote(path, safe='/~')}: everything but unreserved characters and '/' is escaped. */
  static String encodePath(String path) {
    StringBuilder b = new StringBuilder();
    for (byte x : path.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return b.toString();
  }

  private static AwsException incomplete(String message) {
    return new AwsException(400, "IncompleteSignature", message);
  }

  private static AwsException invalid(String message) {
    return new AwsException(403, "InvalidSignatureException", message);
  }

  static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data == null ? new byte[0] : data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static byte[] sha256(String s) {
    return sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
