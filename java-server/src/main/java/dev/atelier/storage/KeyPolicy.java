package dev.atelier.storage;

import dev.atelier.storage.ObjectStore.S3Uri;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Which object keys a store holds as themselves: the one rule every way into the store (the objects
 * API, jobs, the forms, the SDK) is checked by, so that a key is either stored exactly as given or
 * refused with a 400 that says why, and never lands on another key's object.
 *
 * <p>Two layers. {@link #universalProblem} is what no store reached through an S3 client can hold:
 * NUL and control characters, more than 1024 UTF-8 bytes (S3's limit), and {@code .} or {@code ..}
 * segments, which HTTP clients resolve as relative paths ({@code a/./c} would be sent as
 * {@code a/c}). {@link S3Uri} applies it on construction. Above it, each store has capabilities:
 * an external S3 holds any other key; the embedded store keeps objects as files, so it cannot hold
 * what a file path cannot say apart ({@link #FILESYSTEM}).
 *
 * @param store the store's name in messages
 * @param emptySegments whether {@code a//b} and a leading {@code /} are keys of their own
 * @param maxFolderSegmentBytes the longest segment before the last, in UTF-8 bytes
 * @param maxNameSegmentBytes the longest last segment (an object's file name), in UTF-8 bytes
 * @param reservedPrefixes segment prefixes the store keeps for its own bookkeeping (and hides)
 * @param objectsAreFiles whether an object and a folder cannot share a name ({@code a/b} and
 *     {@code a/b/c}): such writes fail with a 409 that names the object in the way
 */
public record KeyPolicy(String store, boolean emptySegments, int maxFolderSegmentBytes, int maxNameSegmentBytes,
    List<String> reservedPrefixes, boolean objectsAreFiles) {

  /** An S3 or MinIO server elsewhere: it judges the rest itself, and its refusals are 400s too. */
  public static final KeyPolicy ANY_S3 = new KeyPolicy("the object store", true, Integer.MAX_VALUE,
      Integer.MAX_VALUE, List.of(), false);

  /**
   * The embedded store (S3Proxy on its filesystem back end): a key is a path below the bucket's
   * folder, normalized by the file system, so {@code a//b} is {@code a/b} and a leading {@code /}
   * leaves the bucket; a file name is at most 255 bytes, and the store writes each object first to
   * {@code <name>-<uuid>} beside it, which leaves 218; names starting with {@code .mpus-} or
   * {@code .s3proxy-} are its multipart and versioning bookkeeping, hidden from listings.
   */
  public static final KeyPolicy FILESYSTEM = new KeyPolicy("the embedded object store", false, 255, 218,
      List.of(".mpus-", ".s3proxy-"), true);

  /** The longest key S3 accepts, in UTF-8 bytes. */
  public static final int MAX_KEY_BYTES = 1024;

  /** What a key is used as: the key of one object, or a prefix that objects' keys start with. */
  public enum Use { OBJECT, PREFIX }

  /**
   * Null when any S3 store can be asked for this key; otherwise why not, for a person. Applies to
   * prefixes and object keys alike.
   */
  public static String universalProblem(String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == 0) {
        return "the key contains a NUL character";
      }
      if (c < 0x20 || c == 0x7f) {
        return "the key contains the control character U+" + String.format("%04X", (int) c);
      }
    }
    int bytes = key.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_KEY_BYTES) {
      return "the key is " + bytes + " bytes long; S3 allows at most " + MAX_KEY_BYTES;
    }
    for (String segment : key.split("/", -1)) {
      if (segment.equals("..") || segment.equals(".")) {
        return "the key must not contain '" + segment + "' segments: S3 clients resolve them as relative paths"
            + " (a/" + segment + "/b would be sent as " + (segment.equals(".") ? "a/b" : "b") + "), so no store can"
            + " be asked for such a key as it is";
      }
    }
    return null;
  }

  /**
   * Null when this store holds {@code key} as itself; otherwise why not, for a person. The
   * universal rules are assumed checked (every {@link S3Uri} has passed them).
   */
  public String problem(String key, Use use) {
    if (use == Use.OBJECT && (key.isEmpty() || key.endsWith("/"))) {
      return "the key must not be empty or end with '/': such a key names a folder, not an object";
    }
    String[] segments = key.split("/", -1);
    // A prefix may end with '/' (the folder itself); that last, empty segment is not a name.
    int last = use == Use.PREFIX && key.endsWith("/") ? segments.length - 2 : segments.length - 1;
    for (int i = 0; i <= last; i++) {
      String segment = segments[i];
      if (segment.isEmpty() && !emptySegments && !(use == Use.PREFIX && segments.length == 1)) {
        String where = i == 0 ? "starts with '/'" : "has an empty segment ('//')";
        return "the key " + where + ", and " + store + " keeps objects as files, where '"
            + (i == 0 ? "/x" : "a//b") + "' and '" + (i == 0 ? "x" : "a/b")
            + "' would be the same object: it cannot hold such a key (remove the extra '/')";
      }
      int bytes = segment.getBytes(StandardCharsets.UTF_8).length;
      int max = i == segments.length - 1 ? maxNameSegmentBytes : maxFolderSegmentBytes;
      if (bytes > max) {
        return "the segment '" + abbreviated(segment) + "' is " + bytes + " bytes long; " + store
            + " keeps each segment as a file name and holds at most " + max + " bytes"
            + (i == segments.length - 1 ? " in the last one" : " in a folder's") + " (S3 itself allows 1024 in all)";
      }
      for (String reserved : reservedPrefixes) {
        if (segment.startsWith(reserved)) {
          return "the segment '" + abbreviated(segment) + "' starts with '" + reserved + "', which " + store
              + " keeps for its own bookkeeping (such objects would be hidden from listings): choose another name";
        }
      }
    }
    return null;
  }

  /** Throws {@link InvalidObjectKeyException} (400) naming the URI and why, unless this store holds it. */
  public void check(S3Uri uri, Use use) {
    String problem = problem(uri.key(), use);
    if (problem != null) {
      throw InvalidObjectKeyException.invalid("'" + uri + "': " + problem);
    }
  }

  private static String abbreviated(String s) {
    return s.length() > 40 ? s.substring(0, 20) + "..." + s.substring(s.length() - 10) : s;
  }
}
