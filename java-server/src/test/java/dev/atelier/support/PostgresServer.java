package dev.atelier.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL from Debian's packages ({@code apt-get install -y postgresql}), started
 * once per test JVM with its data in a temporary directory and stopped, and the directory deleted,
 * when the JVM exits. The packaged cluster is never used or needed.
 *
 * <p>initdb refuses to run as root, so as root (CI) every server command runs as the
 * {@code postgres} system user the package creates, which owns the temporary directory.
 * Each caller of {@link #createDatabase()} gets a fresh, empty database.
 */
public final class PostgresServer {
  /** The superuser initdb creates; every connection from the tests uses it (trust auth on 127.0.0.1). */
  public static final String USER = "postgres";
  private static final String INSTALL = "apt-get install -y postgresql";
  private static PostgresServer shared;

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asRoot;
  private final AtomicInteger databases = new AtomicInteger();

  private PostgresServer(Path bin, Path dir, int port, boolean asRoot) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.asRoot = asRoot;
  }

  /** The JVM's server, started on first use; a missing installation fails the caller loudly. */
  public static synchronized PostgresServer shared() {
    if (shared == null) {
      shared = start();
      Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "postgres-stop"));
    }
    return shared;
  }

  /** Creates a new empty database and returns its JDBC URL. */
  public String createDatabase() {
    String name = "t" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
    admin("CREATE DATABASE " + name);
    return url(name);
  }

  /** Drops a database made by {@link #createDatabase()}, closing whatever still uses it. */
  public void dropDatabase(String url) {
    admin("DROP DATABASE IF EXISTS " + url.substring(url.lastIndexOf('/') + 1) + " WITH (FORCE)");
  }

  public int port() {
    return port;
  }

  private String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  private void admin(String sql) {
    try (Connection c = DriverManager.getConnection(url("postgres"), USER, "");
         Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("test PostgreSQL on port " + port + ": " + sql + ": " + e.getMessage(), e);
    }
  }

  private static PostgresServer start() {
    Path bin = findBin();
    boolean asRoot = "root".equals(System.getProperty("user.name"));
    try {
      Path dir = Files.createTempDirectory("atelier-pg-");
      if (asRoot) {
        UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(USER);
        Files.setOwner(dir, owner);
      }
      for (int attempt = 1; ; attempt++) {
        PostgresServer server = new PostgresServer(bin, dir, freePort(), asRoot);
        try {
          server.initAndStart();
          return server;
        } catch (IllegalStateException e) {
          server.stop();
          if (attempt == 3) {
            throw e;
          }
          dir = Files.createTempDirectory("atelier-pg-");
          if (asRoot) {
            Files.setOwner(dir, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(USER));
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot prepare a test PostgreSQL (" + INSTALL + " if missing): " + e, e);
    }
  }

  private void initAndStart() {
    Path data = dir.resolve("data");
    run(60, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "-A", "trust", "-E", "UTF8",
        "--no-locale", "--no-sync");
    run(60, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
        "-w", "-t", "60", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1"
            + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start");
  }

  private void stop() {
    try {
      if (Files.exists(dir.resolve("data/postmaster.pid"))) {
        run(30, bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w",
            "stop");
      }
    } catch (RuntimeException e) {
      System.err.println("test PostgreSQL did not stop: " + e.getMessage());
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind
    }
  }

  /** Runs a server command (as the postgres user when we are root); its output goes in the error. */
  private void run(int timeoutSeconds, String... command) {
    List<String> cmd = new ArrayList<>();
    if (asRoot) {
      cmd.addAll(List.of("runuser", "-u", USER, "--"));
    }
    cmd.addAll(List.of(command));
    try {
      Path out = Files.createTempFile("atelier-pg-cmd-", ".log");
      try {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(out.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException(String.join(" ", cmd) + ": no answer within " + timeoutSeconds + " s");
        }
        if (p.exitValue() != 0) {
          String log = Files.readString(out, StandardCharsets.UTF_8);
          Path serverLog = dir.resolve("server.log");
          if (Files.isReadable(serverLog)) {
            log += "\nserver.log:\n" + Files.readString(serverLog, StandardCharsets.UTF_8);
          }
          throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue() + ":\n" + log);
        }
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", cmd), e);
    }
  }

  /** The newest installed version's bin directory, {@code /usr/lib/postgresql/<v>/bin}. */
  private static Path findBin() {
    Path root = Path.of(System.getProperty("atelier.postgresRoot", "/usr/lib/postgresql"));
    try (Stream<Path> versions = Files.isDirectory(root) ? Files.list(root) : Stream.empty()) {
      return versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
          .max(Comparator.comparing(b -> version(b.getParent().getFileName().toString())))
          .orElseThrow(() -> new IllegalStateException("PostgreSQL is not installed (no " + root
              + "/<version>/bin/initdb): the store tests run on PostgreSQL too; install it with: " + INSTALL));
    } catch (IOException e) {
      throw new IllegalStateException("cannot look for PostgreSQL in " + root + ": " + e.getMessage(), e);
    }
  }

  private static Double version(String name) {
    try {
      return Double.parseDouble(name);
    } catch (NumberFormatException e) {
      return -1.0;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
