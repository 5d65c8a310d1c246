package dev.atelier.storage;

import dev.atelier.config.AtelierConfig;

/** Opens the object store the configuration names: the embedded S3 server, or an external one. */
public final class ObjectStores {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ObjectStores.class);

  /** The file the embedded server's credentials are kept in, below the data directory. */
  public static final String CREDENTIALS_FILE = "s3-credentials.json";

  private ObjectStores() {}

  /**
   * A started store with the default bucket created. The embedded server must start, or this
   * throws; an external store that cannot be reached is logged and reported by
   * {@link ObjectStore#problem()}, and its default bucket is created once it answers.
   */
  public static ObjectStore open(AtelierConfig config) {
    if (config.embeddedS3()) {
      EmbeddedS3 server = EmbeddedS3.start(config.dataDir().resolve("s3"),
          config.dataDir().resolve(CREDENTIALS_FILE), config.s3Port());
      MinioObjectStore store = new MinioObjectStore(server.endpoint(), config.s3Region(),
          server.credentials().accessKey(), server.credentials().secretKey(), true, config.defaultBucket(),
          KeyPolicy.FILESYSTEM, server);
      try {
        store.ensureBucket(config.defaultBucket());
      } catch (RuntimeException e) {
        store.close();
        throw e;
      }
      return store;
    }
    MinioObjectStore store = new MinioObjectStore(config.s3Endpoint(), config.s3Region(), config.s3AccessKey(),
        config.s3SecretKey(), config.s3PathStyle(), config.defaultBucket(), KeyPolicy.ANY_S3, null);
    String problem = store.problem();
    if (problem != null) {
      LOG.warn("{}; jobs and uploads fail until it answers", problem);
    } else {
      LOG.info("object store: {} (default bucket {})", store.endpoint(), config.defaultBucket());
    }
    return store;
  }
}
