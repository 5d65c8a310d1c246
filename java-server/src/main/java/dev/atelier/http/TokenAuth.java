package dev.atelier.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks the server token on every request: {@code Authorization: token <t>} (or
 * {@code Bearer <t>}), or a {@code token} query parameter for browser WebSockets. The comparison
 * runs in constant time. A {@linkplain ScopedTokens scoped token} passes only on the paths admitted
 * for its audience (403 {@code PERMISSION_DENIED} elsewhere), its scope kept on the request for the
 * capability to check. A {@code ticket} query parameter (download links, which must not carry the
 * server's token) is accepted as a scoped token only.
 */
public final class TokenAuth implements Handler<RoutingContext> {
  private final byte[] token;
  private final ScopedTokens scoped;

  public TokenAuth(String token) {
    this(token, null);
  }

  /** @param scoped the scoped tokens this server issues, or null for none */
  public TokenAuth(String token, ScopedTokens scoped) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("the server token must not be empty");
    }
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.scoped = scoped;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String presented = presentedToken(ctx);
    if (presented == null && ctx.request().getHeader("Authorization") == null) {
      String ticket = ctx.request().getParam("ticket");
      if (ticket != null) {
        ticket(ctx, ticket);
        return;
      }
    }
    if (presented == null) {
      ctx.fail(new ApiException(401, "Unauthorized",
          "a token is required: send 'Authorization: token <token>'"));
      return;
    }
    if (!MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
      ScopedTokens.Scope scope = scoped == null ? null : scoped.verify(presented);
      if (scope != null) {
        if (!scoped.admits(scope, ctx.normalizedPath())) {
          ctx.fail(ScopedTokens.denied("this token is scoped (" + scope.audience() + ") and cannot call "
              + LogText.of(ctx.normalizedPath())));
          return;
        }
        ctx.put(ScopedTokens.CONTEXT_KEY, scope);
        ctx.next();
        return;
      }
      ctx.fail(new ApiException(401, "Unauthorized", "the token is not valid for this server"));
      return;
    }
    ctx.next();
  }

  /**
   * A {@code ticket} query parameter (a download link's): only ever a scoped token, never the
   * server's own, and only on the paths its audience is admitted to.
   */
  private void ticket(RoutingContext ctx, String ticket) {
    ScopedTokens.Scope scope = scoped == null ? null : scoped.verify(ticket);
    if (scope == null) {
      ctx.fail(new ApiException(401, "Unauthorized", "ticket: not a ticket this server issued (or its"
          + " server token changed since): ask for a new download link"));
      return;
    }
    if (!scoped.admits(scope, ctx.normalizedPath())) {
      ctx.fail(ScopedTokens.denied("this ticket (" + scope.audience() + ") cannot call "
          + LogText.of(ctx.normalizedPath())));
      return;
    }
    ctx.put(ScopedTokens.CONTEXT_KEY, scope);
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
