package dev.atelier.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.gaul.s3proxy.AccessGrant;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * An S3-compatible server in this process (S3Proxy over its filesystem store), listening on
 * 127.0.0.1 only. Buckets are directories under {@code root}; requests must be signed (AWS
 * signature V4) with credentials generated on first start and kept, readable by the owner only, in
 * a JSON file so that clients and the next start use the same ones.
 */
public final class EmbeddedS3 implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EmbeddedS3.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The access and secret key clients sign with. */
  public record Credentials(String accessKey, String secretKey) {}

  private final S3Proxy proxy;
  private final URI endpoint;
  private final Credentials credentials;
  private final BlobStore store;
  private volatile Function<String, String> otherKeys = id -> null;

  private EmbeddedS3(S3Proxy proxy, URI endpoint, Credentials credentials, BlobStore store) {
    this.proxy = proxy;
    this.endpoint = endpoint;
    this.credentials = credentials;
    this.store = store;
    // Each request's key id picks the secret its signature is checked with: the server's own
    // credentials, or a key the server issued its users (see acceptKeys).
    proxy.setBlobStoreLocator((identity, container, blob) -> {
      if (identity == null) {
        return null;
      }
      if (identity.equals(credentials.accessKey())) {
        return new AccessGrant(credentials.secretKey(), store);
      }
      String secret = otherKeys.apply(identity);
      return secret == null ? null : new AccessGrant(secret, store);
    });
  }

  /**
   * Also accepts requests signed with the keys {@code secrets} knows (a key id to its secret, null
   * for a key it does not know), such as the access keys of the SageMaker-compatible API: the
   * sagemaker SDK signs its uploads with the same key as its API calls.
   */
  public void acceptKeys(Function<String, String> secrets) {
    this.otherKeys = secrets == null ? id -> null : secrets;
  }

  /**
   * Starts the server.
   *
   * @param root the directory objects live in (created when missing)
   * @param credentialsFile where the credentials are kept (created with owner-only permissions)
   * @param port the port on 127.0.0.1, 0 for any free port
   */
  public static EmbeddedS3 start(Path root, Path credentialsFile, int port) {
    Credentials credentials = loadOrCreateCredentials(credentialsFile);
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new ObjectStoreException("cannot create the embedded S3 server's directory " + root + ": " + e.getMessage(), e);
    }
    BlobStore store = new SseAcceptingStore(new FilesystemNio2BlobStore(root.toAbsolutePath().toString()));
    S3Proxy proxy = S3Proxy.builder()
        .blobStore(store)
        .endpoint(URI.create("http://127.0.0.1:" + port))
        .awsAuthentication(AuthenticationType.AWS_V4, credentials.accessKey(), credentials.secretKey())
        .jettyMaxThreads(32)
        .build();
    try {
      proxy.start();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!"STARTED".equals(proxy.getState())) {
        if (System.nanoTime() > deadline) {
          throw new ObjectStoreException("the embedded S3 server did not start within 30 s (state " + proxy.getState() + ")");
        }
        Thread.sleep(10);
      }
    } catch (ObjectStoreException e) {
      stopQuietly(proxy);
      throw e;
    } catch (Exception e) {
      stopQuietly(proxy);
      throw new ObjectStoreException("cannot start the embedded S3 server on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
    URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    LOG.info("embedded S3 server on {} with its objects in {}", endpoint, root.toAbsolutePath());
    return new EmbeddedS3(proxy, endpoint, credentials, store);
  }

  /** Where clients reach it, such as {@code http://127.0.0.1:41235}. */
  public URI endpoint() {
    return endpoint;
  }

  public Credentials credentials() {
    return credentials;
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
  }

  /** Reads the kept credentials, or generates and keeps new ones. */
  static Credentials loadOrCreateCredentials(Path file) {
    if (Files.exists(file)) {
      try {
        JsonNode node = JSON.readTree(file.toFile());
        String access = node.path("access_key").asText("");
        String secret = node.path("secret_key").asText("");
        if (!access.isEmpty() && !secret.isEmpty()) {
          return new Credentials(access, secret);
        }
        throw new ObjectStoreException(file + " lacks access_key or secret_key: delete it to have new credentials generated");
      } catch (IOException e) {
        throw new ObjectStoreException("cannot read the embedded S3 server's credentials from " + file + ": "
            + e.getMessage() + " (delete the file to have new ones generated)", e);
      }
    }
    Credentials fresh = new Credentials(randomKey(20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
        randomKey(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"));
    Map<String, String> body = new LinkedHashMap<>();
    body.put("access_key", fresh.accessKey());
    body.put("secret_key", fresh.secretKey());
    try {
      if (!OwnerOnlyFile.createOnce(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body),
          "the embedded S3 server's credentials")) {
        // Another server started on the same data directory first: use its credentials.
        return loadOrCreateCredentials(file);
      }
      return fresh;
    } catch (IOException e) {
      throw new ObjectStoreException("cannot write the embedded S3 server's credentials to " + file + ": " + e.getMessage(), e);
    }
  }

  private static String randomKey(int length, String alphabet) {
    SecureRandom random = new SecureRandom();
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  private static void stopQuietly(S3Proxy proxy) {
    try {
      proxy.stop();
    } catch (Exception e) {
      // it did not start
    }
  }
}
