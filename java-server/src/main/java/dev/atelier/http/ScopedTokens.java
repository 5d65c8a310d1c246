package dev.atelier.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tokens that carry a scope: what their bearer may reach ({@code audience}) and which resources
 * ({@code claims}, such as the one run a job logs to). A token is its scope signed with a key derived
 * from the server's token (HMAC-SHA256), so it needs no storage and stays valid across restarts for
 * as long as the server's token does. {@link TokenAuth} lets a request with one through only on the
 * path prefixes a capability {@linkplain #admit admitted} for its audience, and refuses it elsewhere
 * with a 403; the capability then checks the request against the claims ({@link #of}).
 */
public final class ScopedTokens {
  /** What a token allows: an audience and its claims. */
  public record Scope(String audience, Map<String, String> claims) {
    public Scope {
      claims = Map.copyOf(claims);
    }

    /** The claim's value, or null. */
    public String claim(String name) {
      return claims.get(name);
    }
  }

  /** Where {@link TokenAuth} keeps the verified scope of a request. */
  public static final String CONTEXT_KEY = "atelier.scope";
  /** MLflow's code for a refusal; the same body shape serves every API. */
  public static final String PERMISSION_DENIED = "PERMISSION_DENIED";
  private static final String PREFIX = "atls1.";

  private final SecretKeySpec key;
  private final List<Map.Entry<String, String>> admitted = new CopyOnWriteArrayList<>();

  public ScopedTokens(String serverToken) {
    try {
      byte[] k = MessageDigest.getInstance("SHA-256")
          .digest(("atelier scoped tokens\0" + serverToken).getBytes(StandardCharsets.UTF_8));
      this.key = new SecretKeySpec(k, "HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** A token for {@code scope}; the same scope always gives the same token. */
  public String issue(Scope scope) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("aud", scope.audience());
    ObjectNode c = o.putObject("claims");
    new TreeMap<>(scope.claims()).forEach(c::put);
    String payload = PREFIX + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(Json.encode(o).getBytes(StandardCharsets.UTF_8));
    return payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sign(payload));
  }

  /** The scope of a token this server issued, or null when {@code presented} is not one. */
  public Scope verify(String presented) {
    if (presented == null || !presented.startsWith(PREFIX)) {
      return null;
    }
    int dot = presented.lastIndexOf('.');
    if (dot <= PREFIX.length()) {
      return null;
    }
    String payload = presented.substring(0, dot);
    try {
      byte[] sig = Base64.getUrlDecoder().decode(presented.substring(dot + 1));
      if (!MessageDigest.isEqual(sign(payload), sig)) {
        return null;
      }
      JsonNode o = Json.mapper().readTree(Base64.getUrlDecoder().decode(payload.substring(PREFIX.length())));
      Map<String, String> claims = new TreeMap<>();
      o.path("claims").properties().forEach(e -> claims.put(e.getKey(), e.getValue().asText()));
      return new Scope(o.path("aud").asText(), claims);
    } catch (IllegalArgumentException | java.io.IOException e) {
      return null;
    }
  }

  /** Lets tokens of {@code audience} through {@link TokenAuth} on paths that start with {@code pathPrefix}. */
  public void admit(String audience, String pathPrefix) {
    admitted.add(Map.entry(pathPrefix, audience));
  }

  /** Whether a token of {@code scope} may reach {@code path} (a normalized request path). */
  public boolean admits(Scope scope, String path) {
    for (Map.Entry<String, String> e : admitted) {
      if (e.getValue().equals(scope.audience()) && path.startsWith(e.getKey())) {
        return true;
      }
    }
    return false;
  }

  /** The request's scope, or null when it came with the server's own token. */
  public static Scope of(RoutingContext ctx) {
    return ctx.get(CONTEXT_KEY);
  }

  /** The 403 a scoped token gets for what its scope does not cover. */
  public static ApiException denied(String message) {
    return new ApiException(403, "Forbidden", message).withErrorCode(PERMISSION_DENIED);
  }

  private byte[] sign(String payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
