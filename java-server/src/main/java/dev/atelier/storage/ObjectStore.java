package dev.atelier.storage;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Objects in S3 buckets: the embedded S3 server, MinIO or AWS S3, always reached through the
 * MinIO SDK. Calls block; callers run them on virtual or worker threads.
 */
public interface ObjectStore extends AutoCloseable {

  /** {@code s3://bucket/key}. */
  record S3Uri(String bucket, String key) {
    private static final java.util.regex.Pattern BUCKET =
        java.util.regex.Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    /** Parses {@code s3://bucket/key}; the message of the IllegalArgumentException says what is wrong. */
    public static S3Uri parse(String uri) {
      if (uri == null || !uri.startsWith("s3://")) {
        throw new IllegalArgumentException("'" + uri + "' is not an S3 URI (s3://bucket/key)");
      }
      String rest = uri.substring(5);
      int slash = rest.indexOf('/');
      String bucket = slash < 0 ? rest : rest.substring(0, slash);
      String key = slash < 0 ? "" : rest.substring(slash + 1);
      if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
        throw new IllegalArgumentException("'" + uri + "': '" + bucket + "' is not a valid bucket name");
      }
      checkKey(uri, key);
      return new S3Uri(bucket, key);
    }

    private static void checkKey(String uri, String key) {
      if (key.getBytes(StandardCharsets.UTF_8).length > 1024) {
        throw new IllegalArgumentException("'" + abbreviate(uri) + "': the key is longer than 1024 bytes");
      }
      for (int i = 0; i < key.length(); i++) {
        if (key.charAt(i) < 0x20 || key.charAt(i) == 0x7f) {
          throw new IllegalArgumentException("'" + abbreviate(uri) + "': the key holds a control character");
        }
      }
      for (String segment : key.split("/", -1)) {
        if (segment.equals("..") || segment.equals(".")) {
          throw new IllegalArgumentException("'" + abbreviate(uri) + "': the key holds a '" + segment + "' segment");
        }
      }
    }

    private static String abbreviate(String s) {
      return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }

    /** This prefix with {@code relative} appended after a '/'. */
    public S3Uri child(String relative) {
      String base = key.isEmpty() || key.endsWith("/") ? key : key + "/";
      String k = base + (relative.startsWith("/") ? relative.substring(1) : relative);
      checkKey("s3://" + bucket + "/" + k, k);
      return new S3Uri(bucket, k);
    }

    @Override
    public String toString() {
      return "s3://" + bucket + "/" + key;
    }
  }

  /** One stored object. */
  record ObjectInfo(String key, long size, Instant lastModified) {}

  /** Told how many more bytes have moved. */
  @FunctionalInterface
  interface Progress {
    void advance(long bytes);

    Progress NONE = b -> {};
  }

  /** The URL clients can reach, such as {@code http://127.0.0.1:9000}. */
  String endpoint();

  void ensureBucket(String bucket);

  /** Every object whose key starts with the prefix's key, recursively. */
  List<ObjectInfo> list(S3Uri prefix);

  Optional<ObjectInfo> stat(S3Uri object);

  /** The bytes {@link #download} would write. */
  long totalSize(S3Uri prefix);

  /**
   * SageMaker's S3Prefix rule: every object under the prefix lands at {@code dir/<key relative to
   * the prefix>}; a prefix that is exactly one object's key lands as {@code dir/<its file name>}.
   *
   * @throws NoSuchObjectException when nothing matches (the message names the URI)
   */
  long download(S3Uri prefix, Path dir, Progress progress);

  long uploadFile(Path file, S3Uri target, Progress progress);

  /** Every regular file under {@code dir}, keyed by the prefix plus its relative path. */
  long uploadDirectory(Path dir, S3Uri prefix, Progress progress);

  void put(S3Uri target, byte[] bytes, String contentType);

  /** @throws NoSuchObjectException when missing */
  InputStream get(S3Uri object);

  void delete(S3Uri object);

  @Override
  void close();
}
