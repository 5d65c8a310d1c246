package dev.atelier.http;

/**
 * Caller-supplied text made safe for one log line: control characters (C0, DEL, C1) and the
 * Unicode line and paragraph separators become visible escapes ({@code \n}, {@code \r},
 * {@code \t}, {@code \}{@code u001b}), so a query value, path, name or header can never start a
 * line of its own in the server log and pass for the server's own words (log injection).
 */
public final class LogText {
  private LogText() {}

  /** The text with every character that could break or forge a log line escaped; null stays "null". */
  public static String of(Object value) {
    String s = String.valueOf(value);
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!unsafe(c)) {
        if (out != null) {
          out.append(c);
        }
        continue;
      }
      if (out == null) {
        out = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out == null ? s : out.toString();
  }

  /**
   * A throwable that prints like {@code failure} (class, message, frames, causes) with every
   * message escaped: the 5xx log keeps its stack trace while the messages, which can quote what
   * the caller sent, stay on their lines.
   */
  public static Throwable failure(Throwable failure) {
    if (failure == null) {
      return null;
    }
    return new Escaped(failure, 0);
  }

  private static boolean unsafe(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
  }

  /** Prints as the original: its class name and escaped message, its frames, its escaped causes. */
  private static final class Escaped extends RuntimeException {
    private final String text;

    Escaped(Throwable original, int depth) {
      super(null, original.getCause() == null || depth > 16 ? null : new Escaped(original.getCause(), depth + 1),
          false, true);
      this.text = of(original.toString());
      setStackTrace(original.getStackTrace());
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
