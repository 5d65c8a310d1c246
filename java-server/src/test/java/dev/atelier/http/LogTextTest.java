package dev.atelier.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Caller-supplied text cannot start a line of its own in the server log. */
class LogTextTest {
  @Test
  void lineBreaksAndOtherControlCharactersBecomeVisibleEscapes() {
    String forged = "x\r\n2026-12-02 [main] INFO dev.atelier.Main - token accepted\u001b[2J\u0000\u007f\u0085\u2028\u2029\tend";
    String safe = LogText.of(forged);
    assertThat(safe).doesNotContainPattern("[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]");
    assertThat(safe).isEqualTo("x\\r\\n2026-12-02 [main] INFO dev.atelier.Main - token accepted\\u001b[2J\\u0000\\u007f"
        + "\\u0085\\u2028\\u2029\\tend");
  }

  @Test
  void ordinaryTextIsKeptAsItIs() {
    String text = "GET /atelier/api/usage?from=2026-11-01T00:00:00Z -> 400 naïve ✓ C:\\path";
    assertThat(LogText.of(text)).isSameAs(text);
    assertThat(LogText.of(null)).isEqualTo("null");
  }

  @Test
  void aFailurePrintsItsFramesAndCausesWithEscapedMessages() {
    IllegalStateException cause = new IllegalStateException("key a\nINFO forged");
    RuntimeException failure = new RuntimeException("upload of\r\nb failed", cause);
    StringWriter printed = new StringWriter();
    LogText.failure(failure).printStackTrace(new PrintWriter(printed, true));
    String[] lines = printed.toString().split("\n");
    assertThat(lines[0]).isEqualTo("java.lang.RuntimeException: upload of\\r\\nb failed");
    assertThat(printed.toString()).contains("Caused by: java.lang.IllegalStateException: key a\\nINFO forged")
        .contains("at dev.atelier.http.LogTextTest.aFailurePrintsItsFramesAndCausesWithEscapedMessages");
    assertThat(printed.toString()).doesNotContain("\nINFO forged").doesNotContain("\r");
  }
}
