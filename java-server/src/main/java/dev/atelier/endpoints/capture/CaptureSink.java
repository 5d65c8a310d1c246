package dev.atelier.endpoints.capture;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.endpoints.router.InvocationCapture;
import dev.atelier.http.Json;
import dev.atelier.storage.ObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

/**
 * Data capture for every endpoint that has a {@link DataCaptureConfig}: the router asks {@link
 * #sample} about each invocation and hands over the chosen ones, which only go into a bounded queue
 * (by count and by bytes); a full queue drops the record and counts it. The queue is lock-free and
 * the request path never signals the writer: the writer drains it back to back while there are
 * records and looks again after a short pause when there are none, so that a captured invocation
 * costs the event loop a few atomic operations, not a lock and a thread wake-up. A {@link CaptureSpool} on
 * its own virtual threads writes them to spool files and uploads the closed ones, retrying while
 * the store does not answer, so that the store never slows or fails an invocation.
 */
public final class CaptureSink implements InvocationCapture, AutoCloseable {
  /**
   * @param queueRecords records waiting to be written, at most
   * @param queueBytes their bodies' bytes, at most
   * @param fileAge a spool file is closed and uploaded when it is this old
   * @param fileRecords or when it holds this many records
   * @param retryEvery how long a failed upload waits before it is tried again
   * @param spoolBytes the most bytes the spool files may hold (all endpoints together); a record
   *     that would go over is dropped and counted (DroppedSpoolFull) until uploads free space
   */
  public record Options(int queueRecords, long queueBytes, Duration fileAge, int fileRecords, Duration retryEvery,
      long spoolBytes) {
    /** {@code captureSpoolMaxMib}'s default: 1 GiB. */
    public static final long DEFAULT_SPOOL_BYTES = 1024L << 20;
    public static final Options DEFAULTS = new Options(10_000, 64L * 1024 * 1024, Duration.ofSeconds(30), 1000,
        Duration.ofSeconds(10), DEFAULT_SPOOL_BYTES);

    /** With the default spool cap. */
    public Options(int queueRecords, long queueBytes, Duration fileAge, int fileRecords, Duration retryEvery) {
      this(queueRecords, queueBytes, fileAge, fileRecords, retryEvery, DEFAULT_SPOOL_BYTES);
    }
  }

  /** One record waiting to be written, with the config it was sampled by. */
  record Entry(Captured captured, DataCaptureConfig config, Counters counters, long bytes) {}

  /** An endpoint's counts since the server started. */
  static final class Counters {
    final AtomicLong captured = new AtomicLong();
    final AtomicLong uploaded = new AtomicLong();
    /** Every record not captured after it was sampled: the queue was full, the spool full, or a write failed. */
    final AtomicLong dropped = new AtomicLong();
    /** Those of them dropped because the spool held its cap ({@link Options#spoolBytes}). */
    final AtomicLong droppedSpoolFull = new AtomicLong();
    final AtomicLong pending = new AtomicLong();
    final AtomicLong uploadedFiles = new AtomicLong();
    volatile String lastError;
    volatile java.time.Instant lastUpload;
  }

  private final Map<String, DataCaptureConfig> configs = new ConcurrentHashMap<>();
  private final Map<String, Counters> counters = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final int maxQueued;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final long maxQueuedBytes;
  private final DoubleSupplier random;
  private final CaptureSpool spool;
  private final RecentRecords recent = new RecentRecords();
  private final long spoolCap;

  /** With the default options, on the store, spooling below {@code spoolDir} (such as dataDir/capture). */
  public CaptureSink(ObjectStore store, Path spoolDir) {
    this(store, spoolDir, Options.DEFAULTS, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** @param random a number in [0, 1) for each sample */
  public CaptureSink(ObjectStore store, Path spoolDir, Options options, DoubleSupplier random) {
    this.maxQueued = Math.max(1, options.queueRecords());
    this.maxQueuedBytes = options.queueBytes();
    this.spoolCap = options.spoolBytes();
    this.random = random;
    this.spool = new CaptureSpool(store, spoolDir, options, this);
  }

  /** Starts writing and uploading, first the files an earlier run left spooled. */
  public CaptureSink start() {
    spool.start();
    return this;
  }

  /** Captures the endpoint's invocations by this config from now on (null: no more capture). */
  public void configure(String endpoint, DataCaptureConfig config) {
    if (config == null) {
      configs.remove(endpoint);
    } else {
      configs.put(endpoint, config);
    }
  }

  /** The endpoint is gone: no more capture; what is spooled is still uploaded. */
  public void forget(String endpoint) {
    configs.remove(endpoint);
    recent.forget(endpoint);
  }

  /**
   * {@code {Records: [...]}}: the endpoint's newest {@code limit} captured records (of the last
   * {@value RecentRecords#MAX_RECORDS} kept in memory), newest first, as the objects of the capture
   * files' lines, each with the {@code Variant} that answered.
   */
  public ObjectNode records(String endpoint, int limit) {
    return recent.newest(endpoint, limit);
  }

  /** For the writer: a record's line as it goes into its spool file. */
  void written(String endpoint, String variant, String line) {
    if (configs.containsKey(endpoint)) {
      recent.add(endpoint, variant, line);
    }
  }

  @Override
  public boolean sample(String endpoint) {
    DataCaptureConfig c = configs.get(endpoint);
    if (c == null || !c.enabled() || c.samplingPercentage() <= 0 || !(c.input() || c.output())) {
      return false;
    }
    return c.samplingPercentage() >= 100 || random.getAsDouble() * 100 < c.samplingPercentage();
  }

  @Override
  public void captured(Captured invocation) {
    DataCaptureConfig c = configs.get(invocation.endpoint());
    if (c == null || !c.enabled()) {
      return;
    }
    Counters n = counters(invocation.endpoint());
    long bytes = length(invocation.request()) + length(invocation.response());
    if (queued.incrementAndGet() > maxQueued) {
      queued.decrementAndGet();
      n.dropped.incrementAndGet();
      return;
    }
    if (queuedBytes.addAndGet(bytes) > maxQueuedBytes) {
      queuedBytes.addAndGet(-bytes);
      queued.decrementAndGet();
      n.dropped.incrementAndGet();
      return;
    }
    // Counted before the writer can see it, so that Pending never goes below what is spooled.
    n.captured.incrementAndGet();
    n.pending.incrementAndGet();
    queue.add(new Entry(invocation, c, n, bytes));
  }

  /**
   * The endpoint's capture for the panel: {@code {EndpointName, EnableCapture, CaptureStatus,
   * CurrentSamplingPercentage, DestinationS3Uri, Captured, Uploaded, UploadedFiles, Dropped,
   * DroppedSpoolFull, Pending, SpoolBytes, SpoolMaxBytes, LastUploadTime, LastError}}; the counts are
   * since the server started, Pending is captured but not yet uploaded (queued or spooled), Dropped
   * every record lost (DroppedSpoolFull those lost to the spool's cap), SpoolBytes what the spool
   * files of all endpoints hold now.
   */
  public ObjectNode status(String endpoint) {
    DataCaptureConfig c = configs.get(endpoint);
    Counters n = counters.getOrDefault(endpoint, new Counters());
    ObjectNode out = Json.mapper().createObjectNode().put("EndpointName", endpoint);
    out.put("EnableCapture", c != null && c.enabled());
    out.put("CaptureStatus", c != null && c.enabled() ? "Started" : "Stopped");
    if (c != null) {
      out.put("CurrentSamplingPercentage", c.samplingPercentage());
      out.put("DestinationS3Uri", c.destination().toString());
    }
    out.put("Captured", n.captured.get());
    out.put("Uploaded", n.uploaded.get());
    out.put("UploadedFiles", n.uploadedFiles.get());
    out.put("Dropped", n.dropped.get());
    out.put("DroppedSpoolFull", n.droppedSpoolFull.get());
    out.put("Pending", Math.max(0, n.pending.get()));
    out.put("SpoolBytes", spool.bytes());
    out.put("SpoolMaxBytes", spoolCap);
    if (n.lastUpload != null) {
      out.put("LastUploadTime", n.lastUpload.toString());
    } else {
      out.putNull("LastUploadTime");
    }
    if (n.lastError != null) {
      out.put("LastError", n.lastError);
    } else {
      out.putNull("LastError");
    }
    return out;
  }

  /** Writes what is queued, closes the open files and stops; what is not uploaded stays spooled. */
  @Override
  public void close() {
    spool.close();
  }

  Counters counters(String endpoint) {
    return counters.computeIfAbsent(endpoint, e -> new Counters());
  }

  /**
   * For the writer: the next record at once while there is one; else, after a pause of {@code
   * millis} (nothing wakes the writer: see above), the next one or null.
   */
  Entry poll(long millis) throws InterruptedException {
    Entry e = queue.poll();
    if (e == null && millis > 0) {
      Thread.sleep(millis);
      e = queue.poll();
    }
    if (e != null) {
      queued.decrementAndGet();
      queuedBytes.addAndGet(-e.bytes());
    }
    return e;
  }

  private static long length(byte[] b) {
    return b == null ? 0 : b.length;
  }
}
