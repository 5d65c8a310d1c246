package dev.atelier.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks the server token on every request: {@code Authorization: token <t>} (or
 * {@code Bearer <t>}), or a {@code token} query parameter for browser WebSockets. The comparison
 * runs in constant time.
 */
public final class TokenAuth implements Handler<RoutingContext> {
  private final byte[] token;

  public TokenAuth(String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("the server token must not be empty");
    }
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String presented = presentedToken(ctx);
    if (presented == null) {
      ctx.fail(new ApiException(401, "Unauthorized",
          "a token is required: send 'Authorization: token <token>'"));
      return;
    }
    if (!MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
      ctx.fail(new ApiException(401, "Unauthorized", "the token is not valid for this server"));
      return;
    }
    ctx.next();
  }

  private static String presentedToken(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header != null) {
      String h = header.trim();
      int space = h.indexOf(' ');
      if (space > 0) {
        String scheme = h.substring(0, space);
        if (scheme.equalsIgnoreCase("token") || scheme.equalsIgnoreCase("bearer")) {
          return h.substring(space + 1).trim();
        }
      }
      return null;
    }
    return ctx.request().getParam("token");
  }
}
