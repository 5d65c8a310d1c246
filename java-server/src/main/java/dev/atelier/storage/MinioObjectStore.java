package dev.atelier.storage;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The object store over the MinIO Java SDK: the only class that speaks S3. Works with the embedded
 * server, MinIO and AWS S3 alike; transfers of many objects are in {@link Transfers}.
 */
public final class MinioObjectStore implements ObjectStore {
  /** Parts of a multipart upload: the memory one upload holds at a time. */
  static final long PART_SIZE = 16L << 20;

  private final MinioClient client;
  private final String endpoint;
  private final String healthBucket;
  private final KeyPolicy keys;
  private final AutoCloseable server;
  private final Transfers transfers;

  /**
   * @param endpoint the S3 endpoint, such as {@code http://127.0.0.1:9000}
   * @param pathStyle address buckets by path rather than by host name
   * @param healthBucket the bucket {@link #problem()} checks (and creates when missing)
   * @param keys the keys this store holds as themselves ({@link KeyPolicy#FILESYSTEM} for the embedded server)
   * @param server closed with the store (the embedded server), or null
   */
  public MinioObjectStore(URI endpoint, String region, String accessKey, String secretKey, boolean pathStyle,
      String healthBucket, KeyPolicy keys, AutoCloseable server) {
    this.endpoint = endpoint.toString().replaceAll("/+$", "");
    MinioClient.Builder b = MinioClient.builder().endpoint(this.endpoint).region(region);
    if (!accessKey.isEmpty()) {
      b.credentials(accessKey, secretKey);
    }
    this.client = b.build();
    // A store that does not answer should fail a request in seconds, not minutes.
    client.setTimeout(TimeUnit.SECONDS.toMillis(10), TimeUnit.MINUTES.toMillis(5), TimeUnit.MINUTES.toMillis(5));
    if (pathStyle) {
      client.disableVirtualStyleEndpoint();
    } else {
      client.enableVirtualStyleEndpoint();
    }
    this.healthBucket = healthBucket;
    this.keys = keys;
    this.server = server;
    this.transfers = new Transfers(this);
  }

  @Override
  public String endpoint() {
    return endpoint;
  }

  @Override
  public boolean acceptKeys(java.util.function.Function<String, String> secrets) {
    if (server instanceof EmbeddedS3 embedded) {
      embedded.acceptKeys(secrets);
      return true;
    }
    return false;
  }

  @Override
  public KeyPolicy keys() {
    return keys;
  }

  @Override
  public void ensureBucket(String bucket) {
    S3Uri at = new S3Uri(bucket, "");
    call(at, () -> {
      if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
        try {
          client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
        } catch (ErrorResponseException e) {
          // Someone else created it in between: that is what we wanted.
          if (!e.errorResponse().code().startsWith("BucketAlready")) {
            throw e;
          }
        }
      }
      return null;
    });
  }

  @Override
  public List<ObjectInfo> list(S3Uri prefix, int max) {
    keys.check(prefix, KeyPolicy.Use.PREFIX);
    return call(prefix, () -> {
      List<ObjectInfo> out = new ArrayList<>();
      Iterable<Result<Item>> items = client.listObjects(ListObjectsArgs.builder()
          .bucket(prefix.bucket()).prefix(prefix.key()).recursive(true).build());
      for (Result<Item> r : items) {
        if (out.size() >= max) {
          break;
        }
        Item item = r.get();
        if (!item.isDir()) {
          out.add(new ObjectInfo(item.objectName(), item.size(),
              item.lastModified() == null ? null : item.lastModified().toInstant()));
        }
      }
      return out;
    });
  }

  @Override
  public List<ObjectInfo> listFolder(S3Uri folder, int max) {
    if (!folder.key().isEmpty() && !folder.key().endsWith("/")) {
      throw new IllegalArgumentException("a folder's key is empty or ends with '/': '" + folder + "'");
    }
    keys.check(folder, KeyPolicy.Use.PREFIX);
    return call(folder, () -> {
      List<ObjectInfo> out = new ArrayList<>();
      Iterable<Result<Item>> items = client.listObjects(ListObjectsArgs.builder()
          .bucket(folder.bucket()).prefix(folder.key()).delimiter("/").recursive(false).build());
      for (Result<Item> r : items) {
        if (out.size() >= max) {
          break;
        }
        Item item = r.get();
        if (item.isDir()) {
          out.add(new ObjectInfo(item.objectName(), -1, null));
        } else if (!item.objectName().equals(folder.key())) {
          // A "folder" marker object (the folder's own key) is the folder, not one of its entries.
          out.add(new ObjectInfo(item.objectName(), item.size(),
              item.lastModified() == null ? null : item.lastModified().toInstant()));
        }
      }
      // S3 lists a page's objects, then its folders: one order for both.
      out.sort(java.util.Comparator.comparing(ObjectInfo::key));
      return out;
    });
  }

  @Override
  public Optional<ObjectInfo> stat(S3Uri object) {
    if (object.key().isEmpty()) {
      return Optional.empty();
    }
    keys.check(object, KeyPolicy.Use.OBJECT);
    try {
      return call(object, () -> {
        StatObjectResponse s = client.statObject(StatObjectArgs.builder()
            .bucket(object.bucket()).object(object.key()).build());
        return Optional.of(new ObjectInfo(object.key(), s.size(), s.lastModified().toInstant()));
      });
    } catch (NoSuchObjectException e) {
      return Optional.empty();
    }
  }

  @Override
  public long totalSize(S3Uri prefix) {
    return list(prefix).stream().mapToLong(ObjectInfo::size).sum();
  }

  @Override
  public long download(S3Uri prefix, Path dir, Progress progress) {
    return transfers.download(prefix, dir, progress);
  }

  @Override
  public long uploadFile(Path file, S3Uri target, Progress progress) {
    return transfers.uploadFile(file, target, progress);
  }

  @Override
  public long uploadDirectory(Path dir, S3Uri prefix, Progress progress) {
    keys.check(prefix, KeyPolicy.Use.PREFIX);
    return transfers.uploadDirectory(dir, prefix, progress);
  }

  @Override
  public long upload(InputStream body, long size, S3Uri target, String contentType, Progress progress) {
    keys.check(target, KeyPolicy.Use.OBJECT);
    InputStream counted = new Transfers.CountingInputStream(body, progress);
    try {
      return call(target, () -> {
        client.putObject(PutObjectArgs.builder().bucket(target.bucket()).object(target.key())
            .stream(counted, size, PART_SIZE)
            .contentType(contentType == null || contentType.isBlank() ? "application/octet-stream" : contentType)
            .build());
        return ((Transfers.CountingInputStream) counted).count();
      });
    } catch (ObjectStoreException e) {
      if (keys.objectsAreFiles() && e.status() == 503) {
        String conflict = conflictWith(target);
        if (conflict != null) {
          throw InvalidObjectKeyException.conflict(conflict);
        }
      }
      throw e;
    }
  }

  /**
   * Why a store that keeps objects as files could not write {@code target}, when another object is
   * in the way: one of its "folders" is an object, or it is itself a folder of other objects.
   * Asked only after a write failed, so writes that succeed cost nothing more.
   */
  private String conflictWith(S3Uri target) {
    String key = target.key();
    String because = keys.store() + " keeps objects as files, so one key cannot be both an object and a folder"
        + " of other objects: delete ";
    try {
      for (int slash = key.indexOf('/'); slash > 0; slash = key.indexOf('/', slash + 1)) {
        S3Uri above = new S3Uri(target.bucket(), key.substring(0, slash));
        if (keys.problem(above.key(), KeyPolicy.Use.OBJECT) == null && stat(above).isPresent()) {
          return "'" + target + "' cannot be stored: '" + above + "' is an object, and " + because
              + "it or choose another key";
        }
      }
      List<ObjectInfo> below = list(new S3Uri(target.bucket(), key + "/"), 1);
      if (!below.isEmpty()) {
        return "'" + target + "' cannot be stored: it is a folder holding 's3://" + target.bucket() + "/"
            + below.get(0).key() + "', and " + because + "what is below it or choose another key";
      }
    } catch (RuntimeException e) {
      // The store fails for everything: the original failure says so.
    }
    return null;
  }

  @Override
  public void put(S3Uri target, byte[] bytes, String contentType) {
    upload(new ByteArrayInputStream(bytes), bytes.length, target, contentType, Progress.NONE);
  }

  @Override
  public ObjectContent read(S3Uri object) {
    if (object.key().isEmpty()) {
      throw new NoSuchObjectException("no such object: " + object + " (the key is empty)");
    }
    keys.check(object, KeyPolicy.Use.OBJECT);
    return call(object, () -> {
      GetObjectResponse r = client.getObject(GetObjectArgs.builder()
          .bucket(object.bucket()).object(object.key()).build());
      String length = r.headers().get("Content-Length");
      String type = r.headers().get("Content-Type");
      return new ObjectContent(r, length == null ? -1 : Long.parseLong(length),
          type == null ? "application/octet-stream" : type);
    });
  }

  @Override
  public void delete(S3Uri object) {
    keys.check(object, KeyPolicy.Use.OBJECT);
    call(object, () -> {
      client.removeObject(RemoveObjectArgs.builder().bucket(object.bucket()).object(object.key()).build());
      return null;
    });
  }

  @Override
  public String problem() {
    try {
      ensureBucket(healthBucket);
      return null;
    } catch (ObjectStoreException e) {
      return e.getMessage();
    }
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (Exception e) {
      // closing anyway
    }
    if (server != null) {
      try {
        server.close();
      } catch (Exception e) {
        throw new ObjectStoreException("cannot stop the embedded S3 server at " + endpoint + ": " + e.getMessage(), e);
      }
    }
  }

  /** One SDK call. */
  @FunctionalInterface
  interface SdkCall<T> {
    T run() throws Exception;
  }

  /** Runs an SDK call and turns its failures into messages that name the endpoint or the URI. */
  <T> T call(S3Uri at, SdkCall<T> sdk) {
    try {
      return sdk.run();
    } catch (ErrorResponseException e) {
      throw Failures.of(endpoint, at, e);
    } catch (ObjectStoreException | IllegalArgumentException e) {
      throw e;
    } catch (java.io.IOException e) {
      throw Failures.io(endpoint, at, e);
    } catch (Exception e) {
      throw new ObjectStoreException("the object store at " + endpoint + " failed on " + at + ": " + e, e);
    }
  }

  /** The SDK client, for {@link Transfers}. */
  MinioClient client() {
    return client;
  }
}
