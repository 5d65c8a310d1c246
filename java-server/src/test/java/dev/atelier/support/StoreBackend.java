package dev.atelier.support;

import dev.atelier.storage.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One database a store test runs on: SQLite in a temporary directory, or a fresh database on the
 * test JVM's {@link PostgresServer}. {@link #open()} may be called again to reopen the same
 * database (restart tests); {@link #close()} deletes it, and JUnit calls it after the test.
 */
public sealed interface StoreBackend extends AutoCloseable {
  /** {@code sqlite} or {@code postgresql}, as {@link Database#vendor()} says it. */
  String vendor();

  /** Opens (and migrates) this backend's database; the same database on every call. */
  Database open();

  @Override
  void close();

  /** SQLite at {@code atelier.db} in a directory of its own. */
  final class Sqlite implements StoreBackend {
    private Path dir;

    @Override
    public String vendor() {
      return "sqlite";
    }

    /** The database file, for tests that look at it from outside. */
    public synchronized Path file() {
      if (dir == null) {
        try {
          dir = Files.createTempDirectory("atelier-sqlite-");
        } catch (IOException e) {
          throw new IllegalStateException("cannot create a temporary directory: " + e.getMessage(), e);
        }
      }
      return dir.resolve("atelier.db");
    }

    @Override
    public Database open() {
      return Database.openSqlite(file());
    }

    @Override
    public synchronized void close() {
      if (dir == null) {
        return;
      }
      try (Stream<Path> all = Files.walk(dir)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a temporary directory left behind
      }
    }

    @Override
    public String toString() {
      return vendor();
    }
  }

  /** A database of its own on the test JVM's PostgreSQL, created on first open. */
  final class Postgres implements StoreBackend {
    private String url;

    @Override
    public String vendor() {
      return "postgresql";
    }

    /** The database's JDBC URL (user {@link PostgresServer#USER}, no password). */
    public synchronized String url() {
      if (url == null) {
        url = PostgresServer.shared().createDatabase();
      }
      return url;
    }

    @Override
    public Database open() {
      return Database.openPostgres(url(), PostgresServer.USER, "");
    }

    @Override
    public synchronized void close() {
      if (url != null) {
        PostgresServer.shared().dropDatabase(url);
      }
    }

    @Override
    public String toString() {
      return vendor();
    }
  }
}
