package dev.atelier.sagemaker;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The NextToken of a listing: where the next page starts, bound to the listing's filters so that a
 * token is not reused for another query. Opaque to clients (base64url); the last page has none.
 */
final class PageToken {
  private static final String VERSION = "p1";

  /** A page of items and the token for the next one (null on the last page). */
  record Page<T>(List<T> items, String nextToken) {}

  private PageToken() {}

  static String encode(int offset, String query) {
    String raw = VERSION + ":" + offset + ":" + fingerprint(query);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** The offset {@code token} names for {@code query}; a ValidationException when it is not one of ours. */
  static int decode(String token, String query) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      String[] p = raw.split(":", -1);
      if (p.length == 3 && VERSION.equals(p[0]) && fingerprint(query).equals(p[2])) {
        int offset = Integer.parseInt(p[1]);
        if (offset > 0) {
          return offset;
        }
      }
    } catch (IllegalArgumentException e) {
      // refused below
    }
    throw AwsException.validation("NextToken: '" + SigV4.abbreviate(token) + "' is not a token this listing returned"
        + " for these filters; start again without NextToken");
  }

  /** The page at {@code token} (null: the first) of at most {@code max} items. */
  static <T> Page<T> page(List<T> all, String token, int max, String query) {
    int from = token == null ? 0 : decode(token, query);
    if (from >= all.size()) {
      return new Page<>(List.of(), null);
    }
    int to = Math.min(all.size(), from + max);
    return new Page<>(all.subList(from, to), to < all.size() ? encode(to, query) : null);
  }

  private static String fingerprint(String query) {
    return Integer.toHexString(query.hashCode());
  }
}
