package dev.atelier.experiments;

import dev.atelier.experiments.Model.Point;
import dev.atelier.storage.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * A local measurement, not a test: populates 25,000 runs (10 params, 5 metrics x 10 steps, 5 tags
 * each) through the service and times the searches the panel and the benchmark make. Run with
 * {@code java -cp target/classes:target/test-classes:<dependencies> dev.atelier.experiments.SearchBench
 * [sqlite|jdbc:postgresql://...]}.
 */
public final class SearchBench {
  public static void main(String[] args) throws Exception {
    int runs = Integer.getInteger("runs", 25_000);
    Database db = args.length > 0 && args[0].startsWith("jdbc:postgresql")
        ? Database.openPostgres(args[0], args.length > 1 ? args[1] : "", "")
        : Database.openSqlite(Files.createTempDirectory("atelier-bench-").resolve("atelier.db"));
    String pragma = System.getProperty("pragma");
    if (pragma != null) {
      db.tx(c -> {
        try (var st = c.createStatement()) {
          st.execute(pragma);
        }
        return null;
      });
    }
    try (db; ExperimentService s = new ExperimentService(db, "bench", Clock.systemUTC())) {
      String exp = Long.toString(s.createExperiment("bench-" + System.nanoTime(), null, Map.of()));
      Random rnd = new Random(7);
      long t0 = System.nanoTime();
      List<CompletableFuture<Void>> pending = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        String id = s.createRun(exp, null, "run-" + i, 1_000L + i, Map.of(), null, null).info().runId();
        List<Point> points = new ArrayList<>();
        for (int m = 0; m < 5; m++) {
          for (int step = 0; step < 10; step++) {
            points.add(new Point("m" + m, rnd.nextDouble(), 1_000L + step, step));
          }
        }
        List<Map.Entry<String, String>> params = new ArrayList<>();
        for (int p = 0; p < 10; p++) {
          params.add(Map.entry("p" + p, "v" + rnd.nextInt(p == 0 ? 5 : 100)));
        }
        Map<String, String> tags = Map.of("t0", "x" + rnd.nextInt(10), "t1", "y", "t2", "z", "t3", "w", "t4", "q");
        pending.add(s.log(id, points, params, tags, List.of(), List.of()));
        if (pending.size() >= 2_000) {
          CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get();
          pending.clear();
        }
      }
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get();
      System.out.printf("%s: populated %d runs in %.1f s%n", db.vendor(), runs, (System.nanoTime() - t0) / 1e9);

      String filter = "metrics.m0 > 0.8 AND params.p0 = 'v3'";
      List<String> order = List.of("metrics.m1 DESC");
      int found = s.searchRuns(List.of(exp), filter, null, 50_000L, order, null).items().size();
      System.out.printf("filter %s order by %s: %d runs%n", filter, order, found);
      time("filtered search, 1000 of " + runs + " (with params, tags, metrics)", 30,
          () -> s.searchRuns(List.of(exp), filter, null, 1000L, order, null));
      RunSearch.Sql sql = RunSearch.runs(db.vendor(), List.of(Long.parseLong(exp)), List.of(Model.ACTIVE),
          SearchFilter.parse(filter, SearchFilter.RUNS), List.of(SearchFilter.parseOrder(order.get(0),
              SearchFilter.RUNS)), 1001, 0);
      time("  of which selecting the runs (SQL only)", 30, () -> db.tx(c -> {
        try (var q = c.prepareStatement(sql.text())) {
          RunSearch.bind(q, sql.args());
          try (var rs = q.executeQuery()) {
            int n = 0;
            while (rs.next()) {
              n++;
            }
            return n;
          }
        }
      }));
      time("first page of all runs by start_time (1000)", 30,
          () -> s.searchRuns(List.of(exp), null, null, 1000L, List.of(), null));
      time("first page of all runs ordered by a metric (1000)", 30,
          () -> s.searchRuns(List.of(exp), null, null, 1000L, List.of("metrics.m2 ASC"), null));

      String hist = s.createRun(exp, null, "history", null, Map.of(), null, null).info().runId();
      for (int b = 0; b < 10; b++) {
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          points.add(new Point("h", i, b * 1000L + i, b * 1000L + i));
        }
        s.log(hist, points, List.of(), Map.of(), List.of(), List.of()).get();
      }
      time("10,000-point history", 30, () -> s.history(hist, "h", null, null));
    }
  }

  /**
   * Wall time, and the calling thread's CPU time beside it: on a machine shared with other work the
   * CPU time is what the same call takes when it has a core to itself.
   */
  private static void time(String what, int n, Runnable r) {
    java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 10; i++) {
      r.run();
    }
    double[] ms = new double[n];
    double[] cpuMs = new double[n];
    for (int i = 0; i < n; i++) {
      long c = cpu.getCurrentThreadCpuTime();
      long t = System.nanoTime();
      r.run();
      ms[i] = (System.nanoTime() - t) / 1e6;
      cpuMs[i] = (cpu.getCurrentThreadCpuTime() - c) / 1e6;
    }
    Arrays.sort(ms);
    Arrays.sort(cpuMs);
    int p99 = Math.min(n - 1, (int) (n * 0.99));
    System.out.printf("%-56s wall p50 %6.1f p99 %6.1f ms | cpu p50 %6.1f p99 %6.1f ms%n", what, ms[n / 2], ms[p99],
        cpuMs[n / 2], cpuMs[p99]);
  }
}
