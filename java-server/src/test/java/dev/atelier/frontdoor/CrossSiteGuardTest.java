package dev.atelier.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.frontdoor.CrossSiteGuard.Check;
import dev.atelier.http.ApiException;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

/** Which requests get jupyter_server's cross-site checks, and what its answers mean for the caller. */
class CrossSiteGuardTest {

  private static MultiMap headers(String... nameValues) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < nameValues.length; i += 2) {
      m.add(nameValues[i], nameValues[i + 1]);
    }
    return m;
  }

  @Test
  void webSocketUpgradesGetTheOriginCheckAndEveryWriteTheXsrfCheck() {
    assertThat(CrossSiteGuard.checkFor(HttpMethod.GET, headers("Upgrade", "websocket"))).isEqualTo(Check.ORIGIN);
    assertThat(CrossSiteGuard.checkFor(HttpMethod.GET, headers("Upgrade", "WebSocket"))).isEqualTo(Check.ORIGIN);
    for (HttpMethod safe : new HttpMethod[] {HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS}) {
      assertThat(CrossSiteGuard.checkFor(safe, headers())).isEqualTo(Check.NONE);
    }
    for (HttpMethod write : new HttpMethod[] {HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE}) {
      assertThat(CrossSiteGuard.checkFor(write, headers("Content-Type", "text/plain"))).isEqualTo(Check.ORIGIN_AND_XSRF);
    }
  }

  @Test
  void theOriginIsReadAsJupyterServerReadsIt() {
    assertThat(CrossSiteGuard.origin(headers("Origin", "http://a.example"))).isEqualTo("http://a.example");
    assertThat(CrossSiteGuard.origin(headers("Sec-WebSocket-Origin", "http://b.example"))).isEqualTo("http://b.example");
    assertThat(CrossSiteGuard.origin(headers())).isNull();
  }

  @Test
  void theProbesXsrfCookieReplacesTheCallersAndKeepsTheOthers() {
    String login = "username-127-0-0-1-8888=\"2|1:0|10:17|24:username|4:eA==|ab\"";
    assertThat(CrossSiteGuard.withCookie(login + "; _xsrf=2|aa|bb|1; other=x", "_xsrf", "ff"))
        .isEqualTo(login + "; other=x; _xsrf=ff");
    assertThat(CrossSiteGuard.withCookie(null, "_xsrf", "ff")).isEqualTo("_xsrf=ff");
    assertThat(CrossSiteGuard.withCookie("_xsrf_not=1;;", "_xsrf", "ff")).isEqualTo("_xsrf_not=1; _xsrf=ff");
  }

  @Test
  void jupyterServersAnswersBecomeAClearRefusalOrNone() {
    assertThat(CrossSiteGuard.refusal(405, "Method Not Allowed", "http://127.0.0.1:8888", "127.0.0.1:8888",
        Check.ORIGIN_AND_XSRF)).isNull();
    ApiException foreign = CrossSiteGuard.refusal(404, "Not Found", "http://evil.example", "127.0.0.1:8888",
        Check.ORIGIN_AND_XSRF);
    assertThat(foreign.status()).isEqualTo(403);
    assertThat(foreign.getMessage()).contains("another web site").contains("http://evil.example")
        .contains("127.0.0.1:8888").contains("allow_origin");
    ApiException socket = CrossSiteGuard.refusal(404, "Not Found", "http://evil.example", "127.0.0.1:8888", Check.ORIGIN);
    assertThat(socket.status()).isEqualTo(403);
    assertThat(socket.getMessage()).contains("WebSocket").contains("http://evil.example");
    ApiException xsrf = CrossSiteGuard.refusal(403, "'_xsrf' argument missing from POST", null, "127.0.0.1:8888",
        Check.ORIGIN_AND_XSRF);
    assertThat(xsrf.status()).isEqualTo(403);
    assertThat(xsrf.reason()).isEqualTo("Forbidden");
    assertThat(xsrf.getMessage()).contains("_xsrf").contains("X-XSRFToken").contains("argument missing");
    ApiException odd = CrossSiteGuard.refusal(500, "boom", null, "h", Check.ORIGIN_AND_XSRF);
    assertThat(odd.status()).isEqualTo(502);
  }
}
