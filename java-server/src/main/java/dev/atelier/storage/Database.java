package dev.atelier.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteDataSource;

/**
 * Atelier's metadata database: SQLite in the data directory by default. The schema is created and
 * upgraded by Flyway from {@code db/migration} on the classpath when the database is opened.
 *
 * <p>SQLite allows one writer at a time, so the database is one connection and every unit of work
 * holds it; callers run here from worker or virtual threads, never from an event loop.
 */
public final class Database implements AutoCloseable {
  private final Connection connection;
  private final String url;

  private Database(Connection connection, String url) {
    this.connection = connection;
    this.url = url;
  }

  /** Opens (creating if needed) the SQLite database at {@code file} and migrates it. */
  public static Database openSqlite(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
    } catch (java.io.IOException e) {
      throw new StorageException("cannot create the directory of the database " + file + ": " + e.getMessage(), e);
    }
    String url = "jdbc:sqlite:" + file.toAbsolutePath();
    SQLiteDataSource ds = new SQLiteDataSource();
    ds.setUrl(url);
    try {
      Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    } catch (RuntimeException e) {
      throw new StorageException("cannot migrate the database " + file + ": " + e.getMessage(), e);
    }
    try {
      Connection c = DriverManager.getConnection(url);
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=NORMAL");
        s.execute("PRAGMA busy_timeout=5000");
      }
      return new Database(c, url);
    } catch (SQLException e) {
      throw new StorageException("cannot open the database " + file + ": " + e.getMessage(), e);
    }
  }

  /** A unit of work on the connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} in a transaction: committed when it returns, rolled back when it throws. */
  public synchronized <T> T tx(Work<T> work) {
    try {
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new StorageException("database error (" + url + "): " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // closing anyway
    }
  }
}
