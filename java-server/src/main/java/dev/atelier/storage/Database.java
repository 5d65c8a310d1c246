package dev.atelier.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.atelier.config.AtelierConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteDataSource;

/**
 * Atelier's metadata database: SQLite in the data directory by default, PostgreSQL when the
 * configuration names one. The schema is created and upgraded by Flyway when the database is
 * opened, from {@code db/migration} (portable SQL) and {@code db/vendor/<sqlite|postgresql>}
 * (versions whose SQL differs per database) on the classpath.
 *
 * <p>SQLite allows one writer at a time, so there it is one connection and every unit of work
 * holds it in turn. PostgreSQL gets a small pool, so units of work from several threads run at
 * once. Callers run here from worker or virtual threads, never from an event loop.
 */
public final class Database implements AutoCloseable {
  /** Connections a PostgreSQL database is opened with: enough for the server's few writers. */
  static final int POOL_SIZE = 4;

  private final String vendor;
  private final String name;
  private final Connection single;
  private final ReentrantLock singleLock = new ReentrantLock();
  private final HikariDataSource pool;

  private Database(String vendor, String name, Connection single, HikariDataSource pool) {
    this.vendor = vendor;
    this.name = name;
    this.single = single;
    this.pool = pool;
  }

  /** Opens the database the configuration names: PostgreSQL by URL, else SQLite in the data directory. */
  public static Database open(AtelierConfig config) {
    String url = config.databaseUrl() == null ? "" : config.databaseUrl().trim();
    if (url.isEmpty()) {
      return openSqlite(config.dataDir().resolve("atelier.db"));
    }
    if (url.startsWith("jdbc:sqlite:")) {
      return openSqlite(Path.of(url.substring("jdbc:sqlite:".length())));
    }
    return openPostgres(url, config.databaseUser(), config.databasePassword());
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
    migrate(ds, "sqlite", file.toString());
    try {
      Connection c = DriverManager.getConnection(url);
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=NORMAL");
        s.execute("PRAGMA busy_timeout=5000");
        // 32 MB of page cache instead of SQLite's 2 MB: a page of search results reads a thousand
        // runs' rows from all over the run tables, and rereading those pages from the OS costs
        // more than the search itself.
        s.execute("PRAGMA cache_size=-32768");
      }
      return new Database("sqlite", url, c, null);
    } catch (SQLException e) {
      throw new StorageException("cannot open the database " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Opens the PostgreSQL database at the JDBC {@code url} and migrates it. {@code user} and
   * {@code password} may be empty when the URL carries them or the server needs none.
   */
  public static Database openPostgres(String url, String user, String password) {
    String shown = redact(url);
    Properties props = new Properties();
    if (user != null && !user.isEmpty()) {
      props.setProperty("user", user);
    }
    if (password != null && !password.isEmpty()) {
      props.setProperty("password", password);
    }
    props.setProperty("connectTimeout", "10");
    // One plain connection first: an unreachable server or a refused login becomes one clear
    // line here, before the pool (which would log a stack trace) or Flyway see it.
    try (Connection probe = DriverManager.getConnection(url, props)) {
      probe.isValid(5);
    } catch (SQLException e) {
      throw new StorageException("cannot connect to the database " + shown + ": " + why(e), e);
    }
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(url);
    hc.setDataSourceProperties(props);
    hc.setPoolName("atelier-db");
    hc.setMaximumPoolSize(POOL_SIZE);
    hc.setMinimumIdle(1);
    hc.setConnectionTimeout(10_000);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw new StorageException("cannot connect to the database " + shown + ": " + e.getMessage(), e);
    }
    try {
      migrate(pool, "postgresql", shown);
    } catch (StorageException e) {
      pool.close();
      throw e;
    }
    return new Database("postgresql", shown, null, pool);
  }

  private static void migrate(DataSource ds, String vendor, String shown) {
    try {
      Flyway.configure().dataSource(ds).locations("classpath:db/migration", "classpath:db/vendor/" + vendor)
          .load().migrate();
    } catch (RuntimeException e) {
      throw new StorageException("cannot migrate the database " + shown + ": " + e.getMessage(), e);
    }
  }

  /** {@code sqlite} or {@code postgresql}, for the rare statement that must differ. */
  public String vendor() {
    return vendor;
  }

  /** A unit of work on a connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} in a transaction: committed when it returns, rolled back when it throws. */
  public <T> T tx(Work<T> work) {
    if (single != null) {
      singleLock.lock();
      try {
        return inTransaction(single, work);
      } finally {
        singleLock.unlock();
      }
    }
    try (Connection c = pool.getConnection()) {
      return inTransaction(c, work);
    } catch (SQLException e) {
      throw new StorageException("database error (" + name + "): " + e.getMessage(), e);
    }
  }

  private <T> T inTransaction(Connection c, Work<T> work) {
    try {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new StorageException("database error (" + name + "): " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.close();
      return;
    }
    singleLock.lock();
    try {
      single.close();
    } catch (SQLException e) {
      // closing anyway
    } finally {
      singleLock.unlock();
    }
  }

  /** The driver's message, with the cause it hides behind a generic one (an unknown host, say). */
  private static String why(SQLException e) {
    Throwable cause = e.getCause();
    if (cause == null || cause.getMessage() == null || String.valueOf(e.getMessage()).contains(cause.getMessage())) {
      return e.getMessage();
    }
    String what = cause instanceof java.net.UnknownHostException ? "unknown host" : cause.getClass().getSimpleName();
    return e.getMessage() + " (" + what + ": " + cause.getMessage() + ")";
  }

  /** The URL without a password it may carry, fit for messages and logs. */
  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }
}
