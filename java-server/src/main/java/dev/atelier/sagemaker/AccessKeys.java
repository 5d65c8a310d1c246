package dev.atelier.sagemaker;

import dev.atelier.storage.Database;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access keys Atelier issues for its SageMaker-compatible API: one key id and secret per owner,
 * made when first asked for and replaced on rotation (the old key stops working at once). Secrets
 * are stored sealed and opened only to verify a signature.
 */
final class AccessKeys implements SigV4.Keys {
  private static final Logger LOG = LoggerFactory.getLogger(AccessKeys.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  private static final String SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  /** Key ids start like AWS's (20 upper-case characters), with Atelier's own prefix. */
  static final String ID_PREFIX = "AKAT";

  /** An issued key as its owner sees it. */
  record Issued(String owner, String accessKeyId, String secretAccessKey, Instant createdAt) {}

  private final Database db;
  private final SecretSeal seal;
  private final Clock clock;

  AccessKeys(Database db, SecretSeal seal, Clock clock) {
    this.db = db;
    this.seal = seal;
    this.clock = clock;
  }

  /** The owner's key, issued now when the owner has none. */
  Issued current(String owner) {
    Issued existing = read(owner);
    if (existing != null) {
      return existing;
    }
    Issued fresh = fresh(owner);
    db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement("INSERT INTO access_keys (owner, access_key_id, sealed_secret,"
          + " created_at) VALUES (?, ?, ?, ?) ON CONFLICT (owner) DO NOTHING")) {
        bind(q, owner, fresh);
        return q.executeUpdate();
      }
    });
    // A concurrent first request may have issued one first: the stored key is the owner's.
    return read(owner);
  }

  /** Replaces the owner's key with a new one. */
  Issued rotate(String owner) {
    Issued fresh = fresh(owner);
    db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement("INSERT INTO access_keys (owner, access_key_id, sealed_secret,"
          + " created_at) VALUES (?, ?, ?, ?) ON CONFLICT (owner) DO UPDATE SET access_key_id = excluded.access_key_id,"
          + " sealed_secret = excluded.sealed_secret, created_at = excluded.created_at")) {
        bind(q, owner, fresh);
        return q.executeUpdate();
      }
    });
    LOG.info("access key of {} rotated: {} replaces the previous one", owner, fresh.accessKeyId());
    return fresh;
  }

  @Override
  public SigV4.Key find(String accessKeyId) {
    return db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement(
          "SELECT owner, sealed_secret FROM access_keys WHERE access_key_id = ?")) {
        q.setString(1, accessKeyId);
        try (ResultSet rs = q.executeQuery()) {
          if (!rs.next()) {
            return null;
          }
          String secret = seal.open(rs.getString(2), accessKeyId);
          if (secret == null) {
            LOG.warn("the secret of access key {} does not open with this data directory's seal", accessKeyId);
            return null;
          }
          return new SigV4.Key(rs.getString(1), secret);
        }
      }
    });
  }

  private Issued read(String owner) {
    return db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement(
          "SELECT access_key_id, sealed_secret, created_at FROM access_keys WHERE owner = ?")) {
        q.setString(1, owner);
        try (ResultSet rs = q.executeQuery()) {
          if (!rs.next()) {
            return null;
          }
          String secret = seal.open(rs.getString(2), rs.getString(1));
          if (secret == null) {
            throw new IllegalStateException("the stored access key secret of " + owner
                + " does not open with this data directory's seal; rotate the key");
          }
          return new Issued(owner, rs.getString(1), secret, Instant.ofEpochMilli(rs.getLong(3)));
        }
      }
    });
  }

  private void bind(PreparedStatement q, String owner, Issued key) throws java.sql.SQLException {
    q.setString(1, owner);
    q.setString(2, key.accessKeyId());
    q.setString(3, seal.seal(key.secretAccessKey(), key.accessKeyId()));
    q.setLong(4, key.createdAt().toEpochMilli());
  }

  private Issued fresh(String owner) {
    return new Issued(owner, ID_PREFIX + random(16, ID_CHARS), random(40, SECRET_CHARS), clock.instant());
  }

  private static String random(int n, String alphabet) {
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return b.toString();
  }
}
