package dev.atelier.support;

import java.util.stream.Stream;

/**
 * The backends every store test runs on. A store test is a parameterized test over them:
 *
 * <pre>{@code
 * @StoreTest
 * void savedJobsAreListedNewestFirst(StoreBackend backend) {
 *   try (Database db = backend.open()) { ... }
 * }
 * }</pre>
 *
 * <p>{@link StoreTest} is {@code @ParameterizedTest @MethodSource("dev.atelier.support.Stores#backends")};
 * each invocation gets fresh, empty databases, deleted after it. PostgreSQL is started once per
 * test JVM, on first use; when it is not installed the PostgreSQL invocations fail, saying what to
 * install, and the SQLite ones still run.
 */
public final class Stores {
  private Stores() {}

  /** A fresh SQLite and a fresh PostgreSQL backend. */
  public static Stream<StoreBackend> backends() {
    return Stream.of(new StoreBackend.Sqlite(), new StoreBackend.Postgres());
  }
}
