package dev.atelier.debugger;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import dev.atelier.runtime.BatchRuntime;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the training container's engine statistics as the profiler's system metrics: one JSON
 * line per sample in {@code system/<yyyymmddHH>.jsonl} (UTC hour of the sample), as the debugger's
 * interface fixes it. A sample is written for each engine reading at least the profiling interval
 * after the last one written; Docker's engine takes a reading about once a second, so intervals
 * below that give one line per reading.
 */
final class ProfilerSampler implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(ProfilerSampler.class);
  static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyyMMddHH").withZone(ZoneOffset.UTC);

  private final Path systemDir;
  private final long intervalMillis;
  private Closeable stream;
  private Instant last;
  private boolean closed;
  private long written;

  ProfilerSampler(Path systemDir, long intervalMillis) {
    this.systemDir = systemDir;
    this.intervalMillis = intervalMillis;
  }

  /** Starts following the container's statistics. */
  synchronized void start(BatchRuntime runtime, String containerId) {
    if (!closed && stream == null) {
      stream = runtime.stats(containerId, this::take);
    }
  }

  /** Takes one reading: written when it is at least one interval after the last one written. */
  synchronized void take(BatchRuntime.Reading r) {
    if (closed || (last != null && r.at().toEpochMilli() - last.toEpochMilli() < intervalMillis - intervalMillis / 10)) {
      return;
    }
    if (last != null && !r.at().isAfter(last)) {
      return;
    }
    last = r.at();
    Path f = systemDir.resolve(HOUR.format(r.at()) + ".jsonl");
    try {
      Files.createDirectories(systemDir);
      Files.writeString(f, line(r) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      written++;
    } catch (IOException e) {
      LOG.warn("profiler sample not written to {}: {}", f, e.getMessage());
    }
  }

  synchronized long written() {
    return written;
  }

  /** One sample as its JSON line. */
  static String line(BatchRuntime.Reading r) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("ts", r.at().getEpochSecond() + r.at().getNano() / 1e9);
    ArrayNode cpu = o.putArray("cpu");
    r.cpuPerCore().forEach(c -> cpu.add(round(c)));
    o.put("cpu_total", round(r.cpuTotal()));
    o.put("memory_bytes", r.memoryBytes());
    o.put("memory_limit_bytes", r.memoryLimitBytes());
    o.put("disk_read_bytes", r.diskReadBytes());
    o.put("disk_write_bytes", r.diskWriteBytes());
    o.put("net_rx_bytes", r.netRxBytes());
    o.put("net_tx_bytes", r.netTxBytes());
    o.putArray("gpu");
    return Json.encode(o);
  }

  private static double round(double pct) {
    return Math.round(pct * 100) / 100.0;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (stream != null) {
      try {
        stream.close();
      } catch (IOException e) {
        // the engine's stream is dropped anyway
      }
    }
  }
}
