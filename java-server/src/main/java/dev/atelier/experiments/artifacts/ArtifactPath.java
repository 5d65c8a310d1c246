package dev.atelier.experiments.artifacts;

import dev.atelier.storage.KeyPolicy;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A path of MLflow's proxied artifact routes ({@code <experiment>/<run>/artifacts/model/MLmodel}),
 * checked, and the object-store key it maps to: {@code experiments/<path>} in the default bucket.
 *
 * <p>Refused, as MLflow's server refuses them ({@code validate_path_is_safe}) and more strictly
 * where a key could otherwise name another object: {@code ..} and {@code .} segments, absolute
 * paths ({@code /x}, {@code C:x}), empty segments ({@code a//b}), backslashes (another separator),
 * {@code #}, NUL and control characters. Each check is made on the path as given and on it decoded
 * as often as it decodes ({@code %252e%252e} is {@code ..}), as MLflow decodes before checking.
 *
 * @param value the path, relative, without a leading or trailing {@code /}; empty for the root
 */
record ArtifactPath(String value) {
  /** Where every artifact lives in the default bucket. */
  static final String KEY_PREFIX = "experiments/";

  /** What a path names: one artifact (upload, download) or a folder (list, delete). */
  enum Kind { FILE, FOLDER }

  /**
   * Checks a path already percent-decoded once (as a query parameter is).
   *
   * @param field the request's field, named in the message
   * @throws IllegalArgumentException saying what is wrong, for a person
   */
  static ArtifactPath of(String path, String field, Kind kind) {
    String p = path == null ? "" : path;
    if (kind == Kind.FOLDER && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (p.isEmpty() && kind == Kind.FILE) {
      throw new IllegalArgumentException(field + ": an artifact path is required, such as <experiment_id>/<run_id>/artifacts/model.pkl");
    }
    if (kind == Kind.FILE && p.endsWith("/")) {
      throw new IllegalArgumentException("Invalid path '" + printable(p) + "' (" + field
          + "): it ends with '/', which names a folder: name the file");
    }
    String problem = problem(p);
    String decoded = fullyDecoded(p);
    if (problem == null && !decoded.equals(p)) {
      problem = problem(decoded);
      if (problem != null) {
        problem = problem + " once percent-decoded";
      }
    }
    if (problem != null) {
      throw new IllegalArgumentException("Invalid path '" + printable(p) + "' (" + field + "): " + problem);
    }
    return new ArtifactPath(p);
  }

  /** Checks a raw request path (percent-encoded as sent), decoding it once. */
  static ArtifactPath ofRaw(String raw, String field, Kind kind) {
    String once;
    try {
      // A path's '+' is itself, not a space as in a form.
      once = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid path '" + printable(raw) + "' (" + field
          + "): it is not validly percent-encoded");
    }
    return of(once, field, kind);
  }

  /** The key of the artifact this path names. */
  String key() {
    return KEY_PREFIX + value;
  }

  /** The key prefix of what is below this path, ending with {@code /}. */
  String folderKey() {
    return value.isEmpty() ? KEY_PREFIX : KEY_PREFIX + value + "/";
  }

  /** The last segment, the name a download is saved as. */
  String fileName() {
    return value.substring(value.lastIndexOf('/') + 1);
  }

  private static String problem(String p) {
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == 0) {
        return "it contains a NUL character";
      }
      if (c < 0x20 || c == 0x7f) {
        return "it contains the control character U+" + String.format("%04X", (int) c);
      }
      if (c == '\\') {
        return "it contains a backslash: artifact paths separate folders with '/' only";
      }
      if (c == '#') {
        return "it contains '#', which MLflow refuses in artifact paths";
      }
    }
    if (p.startsWith("/")) {
      return "it is absolute: artifact paths are relative to the artifact root";
    }
    if (p.length() >= 2 && Character.isLetter(p.charAt(0)) && p.charAt(1) == ':') {
      return "it starts with a drive ('" + p.substring(0, 2) + "'): artifact paths are relative to the artifact root";
    }
    if (p.isEmpty()) {
      return null;
    }
    for (String segment : p.split("/", -1)) {
      if (segment.equals("..")) {
        return "it has a '..' segment, which would leave the artifact root";
      }
      if (segment.equals(".")) {
        return "it has a '.' segment: name each folder once (a/b, not a/./b)";
      }
      if (segment.isEmpty()) {
        return "it has an empty segment ('//'): remove the extra '/'";
      }
    }
    if (KeyPolicy.universalProblem(KEY_PREFIX + p) != null) {
      return KeyPolicy.universalProblem(KEY_PREFIX + p);
    }
    return null;
  }

  /** Decoded until it no longer changes (at most 10 times), as MLflow's server decodes before its checks. */
  private static String fullyDecoded(String p) {
    String current = p;
    for (int i = 0; i < 10 && current.indexOf('%') >= 0; i++) {
      String next;
      try {
        next = URLDecoder.decode(current.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        // A literal '%' ("100%.txt"): decoded as far as it goes.
        return current;
      }
      if (next.equals(current)) {
        return current;
      }
      current = next;
    }
    return current;
  }

  private static String printable(String s) {
    String cut = s.length() > 200 ? s.substring(0, 200) + "..." : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
