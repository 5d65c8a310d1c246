package dev.atelier.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.runtime.BatchRuntime.Exit;
import dev.atelier.runtime.BatchRuntime.Found;
import dev.atelier.runtime.BatchRuntime.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What every batch runtime (where jobs run) must do, run against each implementation by a short
 * subclass: run a program with its environment, a mount and limits, follow its output line by
 * line from both streams, report its exit code and whether it ran out of memory, stop it with a
 * grace period (forcing one that ignores SIGTERM), and let a restarted server find it by its
 * label and follow its output on from the last line already seen.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
public abstract class BatchRuntimeContract {
  static final String LABEL = "dev.atelier.batch-contract";
  protected BatchRuntime runtime;
  protected Path mountDir;
  private final Set<String> created = ConcurrentHashMap.newKeySet();

  /** A runtime of this implementation; each call is a new one (a restarted server) over the same jobs. */
  protected abstract BatchRuntime createRuntime();

  /** The image a job runs here. */
  protected abstract String image();

  /** The Python command line in that image. */
  protected abstract List<String> python();

  /** Where a job sees {@code host} mounted (a container: anywhere; a local process: the same path). */
  protected abstract String mountPoint(Path host);

  @BeforeAll
  protected void setUp() throws Exception {
    mountDir = Files.createTempDirectory("atelier-batch-contract");
    // containers may run as another user than the test's
    Files.setPosixFilePermissions(mountDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    runtime = createRuntime();
  }

  @AfterAll
  protected void tearDown() {
    if (runtime != null) {
      try {
        created.forEach(id -> runtime.remove(id));
      } finally {
        runtime.close();
      }
    }
  }

  protected String run(String code, Map<String, String> env, Map<String, String> labels, long memoryBytes) {
    List<String> entry = new ArrayList<>(python());
    entry.addAll(List.of("-c", code));
    String name = "atelier-batch-contract-" + UUID.randomUUID().toString().substring(0, 8);
    String id = runtime.create(new Spec(name, image(), entry, List.of(), env, labels,
        Map.of(mountDir.toString(), mountPoint(mountDir)), 1.0, memoryBytes, null));
    created.add(id);
    runtime.start(id);
    return id;
  }

  record Line(String timestamp, boolean stderr, String text) {}

  static void await(String what, Duration max, BooleanSupplier done) throws InterruptedException {
    Instant deadline = Instant.now().plus(max);
    while (!done.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within " + max + ": " + what);
      }
      Thread.sleep(100);
    }
  }

  @Test
  void aJobRunsWithItsEnvironmentAndMountItsOutputFollowedLineByLineAndItsExitCodeReported() throws Exception {
    String mounted = mountPoint(mountDir);
    String id = run(String.join("\n",
        "import os, sys",
        "print('greeting', os.environ['GREETING'], flush=True)",
        "print('to stderr', file=sys.stderr, flush=True)",
        "open(os.path.join(" + pyString(mounted) + ", 'written.txt'), 'w').write('x')",
        "print('partial line without a newline', end='', flush=True)",
        "sys.exit(3)"), Map.of("GREETING", "hello"), Map.of(), 0);
    List<Line> lines = Collections.synchronizedList(new ArrayList<>());
    try (BatchRuntime.Follow follow = runtime.follow(id, null, (ts, err, text) -> lines.add(new Line(ts, err, text)))) {
      Exit exit = runtime.await(id);
      follow.awaitEnd(Duration.ofSeconds(30));
      assertThat(exit.code()).isEqualTo(3);
      assertThat(exit.oomKilled()).isFalse();
    }
    assertThat(lines).extracting(Line::text, Line::stderr).contains(
        org.assertj.core.groups.Tuple.tuple("greeting hello", false),
        org.assertj.core.groups.Tuple.tuple("to stderr", true),
        org.assertj.core.groups.Tuple.tuple("partial line without a newline", false));
    assertThat(lines).allSatisfy(l -> assertThat(Instant.parse(l.timestamp())).isBefore(Instant.now().plusSeconds(5)));
    assertThat(mountDir.resolve("written.txt")).exists();
    assertThat(runtime.running(id)).contains(false);
  }

  @Test
  void aJobThatOutgrowsItsMemoryLimitIsReportedOutOfMemory() {
    String id = run("x = b'x' * (512 << 20)\nprint(len(x))", Map.of(), Map.of(), 128L << 20);
    Exit exit = runtime.await(id);
    assertThat(exit.oomKilled()).as("exit %s", exit).isTrue();
    assertThat(exit.code()).isNotZero();
  }

  @Test
  void stoppingAJobThatIgnoresSigtermForcesItAfterTheGracePeriod() throws Exception {
    String id = run(String.join("\n",
        "import signal, time",
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)",
        "print('ignoring', flush=True)",
        "time.sleep(600)"), Map.of(), Map.of(), 0);
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    try (BatchRuntime.Follow follow = runtime.follow(id, null, (ts, err, text) -> lines.add(text))) {
      await("the job is running", Duration.ofSeconds(60), () -> lines.contains("ignoring"));
      Instant before = Instant.now();
      runtime.stop(id, Duration.ofSeconds(2));
      assertThat(Duration.between(before, Instant.now())).isLessThan(Duration.ofSeconds(60));
      assertThat(runtime.running(id)).contains(false);
      assertThat(runtime.await(id).code()).isNotZero();
    }
  }

  @Test
  void aRestartedServerFindsTheJobByItsLabelAndFollowsOnFromTheLastLineSeen() throws Exception {
    String tag = UUID.randomUUID().toString();
    Path go = mountDir.resolve("go-" + tag);
    String id = run(String.join("\n",
        "import os, time",
        "print('before the restart', flush=True)",
        "while not os.path.exists(os.path.join(" + pyString(mountPoint(mountDir)) + ", 'go-" + tag + "')):",
        "    time.sleep(0.1)",
        "print('after the restart', flush=True)"), Map.of(), Map.of(LABEL, tag), 0);
    List<Line> first = Collections.synchronizedList(new ArrayList<>());
    BatchRuntime.Follow follow = runtime.follow(id, null, (ts, err, text) -> first.add(new Line(ts, err, text)));
    await("the first line", Duration.ofSeconds(60), () -> !first.isEmpty());
    follow.close();
    String seen = first.get(0).timestamp();

    BatchRuntime next = createRuntime();
    try {
      List<Found> found = next.find(LABEL, tag);
      assertThat(found).singleElement().satisfies(f -> {
        assertThat(f.id()).isEqualTo(id);
        assertThat(f.running()).isTrue();
        assertThat(f.labels()).containsEntry(LABEL, tag);
      });
      List<String> later = Collections.synchronizedList(new ArrayList<>());
      try (BatchRuntime.Follow on = next.follow(id, seen, (ts, err, text) -> later.add(text))) {
        Files.writeString(go, "go");
        assertThat(next.await(id).code()).isZero();
        on.awaitEnd(Duration.ofSeconds(30));
      }
      assertThat(later).containsExactly("after the restart");
      next.remove(id);
      assertThat(next.running(id)).isEmpty();
      assertThat(next.find(LABEL, tag)).isEmpty();
    } finally {
      next.close();
    }
  }

  static String pyString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
