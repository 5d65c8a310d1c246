package dev.atelier.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.Main;
import dev.atelier.config.AtelierConfig;
import dev.atelier.config.ConfigLoader;
import dev.atelier.support.StoreBackend;
import dev.atelier.support.StoreTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Opening, migrating, reopening and failing to open the metadata database, on both backends. */
@Timeout(120)
class DatabaseTest {
  /** Year 2100 in epoch milliseconds: more than 32 bits, as every timestamp column holds. */
  static final long Y2100 = 4_102_444_800_000L;

  @TempDir Path dir;

  static List<String> history(Database db) {
    return db.tx(c -> {
      List<String> rows = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement("SELECT version, script, checksum, installed_on, success "
          + "FROM flyway_schema_history ORDER BY installed_rank");
           ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getInt(3) + " " + rs.getString(4) + " "
              + rs.getBoolean(5));
        }
      }
      return rows;
    });
  }

  @StoreTest
  void reopeningKeepsTheDataAndMigratesNothingAgain(StoreBackend backend) {
    List<String> before;
    try (Database db = backend.open()) {
      assertThat(db.vendor()).isEqualTo(backend.vendor());
      before = history(db);
      assertThat(before).hasSizeGreaterThanOrEqualTo(2).allSatisfy(row -> assertThat(row).endsWith(" true"));
      db.tx(c -> {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO instance_usage (instance_id, instance_type, image, "
            + "runtime, started_at, last_seen_at, stopped_at) VALUES ('i-1', 'ml.t3.medium', 'local', 'process', ?, ?, ?)")) {
          s.setLong(1, Y2100);
          s.setLong(2, Y2100 + 1);
          s.setLong(3, Y2100 + 2);
          return s.executeUpdate();
        }
      });
    }
    try (Database db = backend.open()) {
      assertThat(history(db)).isEqualTo(before);
      long[] times = db.tx(c -> {
        try (PreparedStatement s = c.prepareStatement(
            "SELECT started_at, last_seen_at, stopped_at FROM instance_usage WHERE instance_id = 'i-1'");
             ResultSet rs = s.executeQuery()) {
          assertThat(rs.next()).isTrue();
          return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
        }
      });
      assertThat(times).containsExactly(Y2100, Y2100 + 1, Y2100 + 2);
    }
  }

  @StoreTest
  void aUnitOfWorkThatThrowsLeavesNothingBehind(StoreBackend backend) {
    try (Database db = backend.open()) {
      assertThatThrownBy(() -> db.tx(c -> {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO idle_policy (instance_type, updated_at) VALUES ('x', 1)")) {
          s.executeUpdate();
        }
        throw new IllegalStateException("changed my mind");
      })).hasMessage("changed my mind");
      int rows = db.tx(c -> {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM idle_policy")) {
          rs.next();
          return rs.getInt(1);
        }
      });
      assertThat(rows).isZero();
    }
  }

  @Test
  void sqliteKeepsTheChecksumsDatabasesCreatedBeforePostgresSupportRecorded() {
    // Flyway refuses to open a database whose applied migrations changed: these are the checksums
    // of V1 and V2 as every existing SQLite database recorded them.
    try (StoreBackend.Sqlite backend = new StoreBackend.Sqlite(); Database db = backend.open()) {
      assertThat(history(db)).extracting(row -> String.join(" ", List.of(row.split(" ")).subList(0, 3)))
          .startsWith("1 V1__instance_usage.sql 1982053881", "2 V2__idle_policy.sql 683346281");
    }
  }

  @Test
  void postgresRunsUnitsOfWorkFromSeveralThreadsAtOnce() throws Exception {
    try (StoreBackend.Postgres backend = new StoreBackend.Postgres(); Database db = backend.open()) {
      CountDownLatch bothInside = new CountDownLatch(2);
      List<Thread> threads = new ArrayList<>();
      List<Boolean> met = new java.util.concurrent.CopyOnWriteArrayList<>();
      for (int i = 0; i < 2; i++) {
        threads.add(Thread.ofVirtual().start(() -> met.add(db.tx(c -> {
          bothInside.countDown();
          try {
            return bothInside.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        }))));
      }
      for (Thread t : threads) {
        t.join(20_000);
      }
      assertThat(met).containsExactly(true, true);
    }
  }

  @Test
  void openWithoutAUrlIsSqliteInTheDataDirectory() {
    AtelierConfig config = ConfigLoader.load(null, Map.of("ATELIER_DATA_DIR", dir.toString()), Map.of(), Map.of());
    try (Database db = Database.open(config)) {
      assertThat(db.vendor()).isEqualTo("sqlite");
    }
    assertThat(dir.resolve("atelier.db")).isRegularFile();
  }

  @Test
  void anUnreachablePostgresStopsTheStartWithOneLineNamingTheUrlAndTheCause() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/atelier?password=hunter2";
    assertThatThrownBy(() -> Database.openPostgres(url, "atelier", "secret"))
        .isInstanceOf(StorageException.class)
        .hasMessageStartingWith("cannot connect to the database jdbc:postgresql://127.0.0.1:" + port
            + "/atelier?password=***: ")
        .hasMessageContaining("refused")
        .message().doesNotContain("hunter2", "secret", "\n");

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream saved = System.err;
    System.setProperty("atelier.databaseUrl", url);
    int status;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      status = new CommandLine(new Main()).execute("--data-dir", dir.toString(), "--port", "0");
    } finally {
      System.setErr(saved);
      System.clearProperty("atelier.databaseUrl");
    }
    assertThat(status).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8).strip().lines())
        .singleElement().asString()
        .startsWith("atelier-server: cannot start: cannot connect to the database jdbc:postgresql://127.0.0.1:" + port)
        .contains("refused");
  }
}
