package dev.atelier.storage;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Objects in an S3-compatible store (the embedded server, MinIO or AWS S3), addressed by
 * {@code s3://bucket/key} URIs. Every call blocks: run them on virtual or worker threads, never on
 * an event loop. Failures are {@link ObjectStoreException}s whose message names the endpoint or the
 * URI; a missing object is a {@link NoSuchObjectException}.
 *
 * <p>Prefixes follow SageMaker's {@code S3Prefix} rule: a prefix matches every object whose key
 * starts with it, so {@code s3://b/data/train} matches {@code data/train/a.csv} and
 * {@code data/train.csv}.
 */
public interface ObjectStore extends AutoCloseable {

  /** The longest key S3 accepts, in UTF-8 bytes. */
  int MAX_KEY_BYTES = KeyPolicy.MAX_KEY_BYTES;

  /**
   * An {@code s3://bucket/key} location; the key may be empty (the whole bucket) or a prefix.
   * Both parts are checked on construction: a bucket name by S3's rules, a key by what any S3 store
   * can be asked for ({@link KeyPolicy#universalProblem}: no NUL or control characters, no
   * {@code .} or {@code ..} segments, at most 1024 UTF-8 bytes). What one store can hold beyond
   * that is its {@link ObjectStore#keys()}.
   */
  record S3Uri(String bucket, String key) {
    public S3Uri {
      if (bucket == null || !validBucket(bucket)) {
        throw new IllegalArgumentException("'" + bucket + "' is not a valid bucket name: use 3 to 63 lowercase"
            + " letters, digits, dots and hyphens, starting and ending with a letter or digit");
      }
      key = key == null ? "" : key;
      checkKey(key);
    }

    /** Parses {@code s3://bucket/key}; the message of the exception says what is wrong. */
    public static S3Uri parse(String uri) {
      if (uri == null || uri.isBlank()) {
        throw new IllegalArgumentException("an S3 URI such as s3://bucket/key is required");
      }
      if (!uri.startsWith("s3://")) {
        throw new IllegalArgumentException("'" + printable(uri) + "' is not an S3 URI: it must start with s3://");
      }
      String rest = uri.substring(5);
      int slash = rest.indexOf('/');
      String bucket = slash < 0 ? rest : rest.substring(0, slash);
      String key = slash < 0 ? "" : rest.substring(slash + 1);
      try {
        return new S3Uri(bucket, key);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + printable(uri) + "': " + e.getMessage());
      }
    }

    /** The location {@code relative} below this one: {@code s3://b/data} + {@code x/y} is {@code s3://b/data/x/y}. */
    public S3Uri child(String relative) {
      if (relative == null || relative.isEmpty()) {
        return this;
      }
      String rel = relative.startsWith("/") ? relative.substring(1) : relative;
      return new S3Uri(bucket, key.isEmpty() || key.endsWith("/") ? key + rel : key + "/" + rel);
    }

    /** The last segment of the key, the name a downloaded copy gets. */
    public String fileName() {
      String k = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
      return k.substring(k.lastIndexOf('/') + 1);
    }

    @Override
    public String toString() {
      return "s3://" + bucket + "/" + key;
    }

    private static boolean validBucket(String b) {
      return b.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]") && !b.contains("..")
          && !b.matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
    }

    private static void checkKey(String key) {
      String problem = KeyPolicy.universalProblem(key);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
    }

    private static String printable(String s) {
      String cut = s.length() > 200 ? s.substring(0, 200) + "..." : s;
      return cut.replaceAll("\\p{Cntrl}", "?");
    }
  }

  /** One object: its full key, size in bytes, and when it was last written. */
  record ObjectInfo(String key, long size, Instant lastModified) {}

  /** An object being read: its body (close it), size and content type. */
  record ObjectContent(InputStream body, long size, String contentType) implements AutoCloseable {
    @Override
    public void close() throws java.io.IOException {
      body.close();
    }
  }

  /** Told how many more bytes have been transferred; calls never overlap. */
  @FunctionalInterface
  interface Progress {
    void advance(long bytes);

    Progress NONE = b -> {};
  }

  /** A URL clients can reach, such as {@code http://127.0.0.1:9000}. */
  String endpoint();

  /**
   * Has the store also accept requests signed with the keys {@code secrets} knows (key id to
   * secret, null for one it does not know); false when it cannot (an external store keeps its own
   * credentials).
   */
  default boolean acceptKeys(java.util.function.Function<String, String> secrets) {
    return false;
  }

  /**
   * The keys this store holds as themselves. Every call checks its URI by it and refuses others
   * with an {@link InvalidObjectKeyException}; callers check up front with it to name their field.
   */
  KeyPolicy keys();

  /** Creates the bucket unless it exists. */
  void ensureBucket(String bucket);

  /** Every object whose key starts with {@code prefix.key}, recursively, in key order. */
  default List<ObjectInfo> list(S3Uri prefix) {
    return list(prefix, Integer.MAX_VALUE);
  }

  /** Like {@link #list(S3Uri)}, stopping after {@code max} objects. */
  List<ObjectInfo> list(S3Uri prefix, int max);

  /**
   * What is directly below {@code folder} (a key that is empty or ends with {@code /}), as S3 lists
   * with the delimiter {@code /}, in key order, at most {@code max} entries: objects with their
   * size, and sub-folders as keys ending with {@code /} with size -1. A listing that goes one level
   * down is what a file browser needs without reading every object below.
   */
  List<ObjectInfo> listFolder(S3Uri folder, int max);

  /** The object at exactly this key, if there is one. */
  Optional<ObjectInfo> stat(S3Uri object);

  /** The summed size of every object the prefix matches; 0 when none does. */
  long totalSize(S3Uri prefix);

  /**
   * Downloads every object the prefix matches into {@code dir}, at its key relative to the prefix
   * (an object whose key is the prefix itself lands as {@code dir/<its file name>}). Never writes
   * outside {@code dir}.
   *
   * @return the bytes written
   * @throws NoSuchObjectException naming the URI when nothing matches
   */
  long download(S3Uri prefix, Path dir, Progress progress);

  /** Uploads one file to {@code target} (multipart when large). Returns its size. */
  long uploadFile(Path file, S3Uri target, Progress progress);

  /** Uploads every regular file below {@code dir} to {@code prefix} + its relative path. Returns the bytes sent. */
  long uploadDirectory(Path dir, S3Uri prefix, Progress progress);

  /**
   * Uploads a stream to {@code target} without holding it in memory.
   *
   * @param size the stream's length, or -1 when unknown
   * @return the bytes stored
   */
  long upload(InputStream body, long size, S3Uri target, String contentType, Progress progress);

  /** Stores a small object. */
  void put(S3Uri target, byte[] bytes, String contentType);

  /** Opens an object for reading; close the stream. */
  default InputStream get(S3Uri object) {
    return read(object).body();
  }

  /** Opens an object for reading with its size and content type. */
  ObjectContent read(S3Uri object);

  /** Deletes the object; deleting a missing object is not an error. */
  void delete(S3Uri object);

  /**
   * Null when the store answers and its default bucket exists; otherwise what is wrong, for a
   * person. Asks the store, so it blocks.
   */
  default String problem() {
    return null;
  }

  @Override
  void close();
}
