package dev.atelier.endpoints.capture;

import dev.atelier.endpoints.capture.CaptureSink.Counters;
import dev.atelier.endpoints.capture.CaptureSink.Entry;
import dev.atelier.endpoints.router.InvocationCapture.Captured;
import dev.atelier.storage.ObjectStore;
import dev.atelier.storage.ObjectStore.S3Uri;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Capture's spool: a writer thread appends queued records to one open file per destination,
 * endpoint, variant and hour, at {@code <spool>/<bucket>/<key of DestinationS3Uri>/<endpoint>/<variant>/
 * yyyy/mm/dd/hh/mm-ss-SSS-<uuid>.jsonl} (with {@code .part} while open), the object's own key; a file
 * is closed when it is old or full enough, or its hour is over. An uploader thread sends each closed
 * file to that key and deletes it; when the store fails it keeps the files and tries again after a
 * while, oldest first. Files an earlier run left are uploaded on start.
 *
 * <p>The spool's files together hold at most {@link CaptureSink.Options#spoolBytes}: while they are
 * at that cap (the store has been down a long while), new records are refused, not written, and
 * counted as dropped (DroppedSpoolFull), so that capture never fills the disk; what is spooled
 * already is kept and uploaded first once the store answers, and records are written again as
 * soon as uploads have freed room. Refusing the new rather than deleting the old keeps every
 * record already on disk; the counts say how many were lost and when.
 */
final class CaptureSpool {
  private static final Logger LOG = LoggerFactory.getLogger(CaptureSpool.class);
  private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy/MM/dd/HH").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("mm-ss-SSS").withZone(ZoneOffset.UTC);
  private static final String PART = ".part";
  private static final long ROTATE_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** A closed file waiting for its upload. */
  private record Ready(Path file, long records, Counters counters) {}

  private static final class Open {
    final Path file;
    final String hour;
    final BufferedWriter out;
    final Counters counters;
    final long openedAt = System.nanoTime();
    long records;

    Open(Path file, String hour, BufferedWriter out, Counters counters) {
      this.file = file;
      this.hour = hour;
      this.out = out;
      this.counters = counters;
    }
  }

  private final ObjectStore store;
  private final Path root;
  private final CaptureSink.Options options;
  private final CaptureSink sink;
  private final Map<String, Open> open = new HashMap<>();
  private final LinkedBlockingQueue<Ready> closed = new LinkedBlockingQueue<>();
  private final Set<String> buckets = new HashSet<>();
  /** What the spool files hold now, in bytes (the open ones as written so far). */
  private final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
  /** Whether the spool was at its cap at the last record (only the writer thread reads and writes it). */
  private boolean full;
  private volatile boolean running;
  private Thread writer;
  private Thread uploader;

  CaptureSpool(ObjectStore store, Path root, CaptureSink.Options options, CaptureSink sink) {
    this.store = store;
    this.root = root.toAbsolutePath().normalize();
    this.options = options;
    this.sink = sink;
  }

  void start() {
    running = true;
    recover();
    writer = Thread.ofVirtual().name("capture-writer").start(this::write);
    uploader = Thread.ofVirtual().name("capture-uploader").start(this::upload);
  }

  void close() {
    running = false;
    try {
      if (writer != null) {
        writer.join(TimeUnit.SECONDS.toMillis(10));
      }
      if (uploader != null) {
        uploader.interrupt();
        uploader.join(TimeUnit.SECONDS.toMillis(10));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The files a stopped run left: open ones are closed as they are, then all are queued for upload. */
  private void recover() {
    if (!Files.isDirectory(root)) {
      return;
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      LOG.warn("data capture: cannot read the spool {}: {}", root, e.getMessage());
      return;
    }
    for (Path f : files) {
      try {
        Path file = f;
        if (f.getFileName().toString().endsWith(PART)) {
          String name = f.getFileName().toString();
          file = f.resolveSibling(name.substring(0, name.length() - PART.length()));
          dropPartialLine(f);
          Files.move(f, file, StandardCopyOption.ATOMIC_MOVE);
        }
        Path rel = root.relativize(file);
        long records;
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
          records = lines.filter(l -> !l.isBlank()).count();
        }
        bytes.addAndGet(Files.size(file));
        Counters n = sink.counters(rel.getNameCount() >= 8 ? rel.getName(rel.getNameCount() - 7).toString() : "");
        n.pending.addAndGet(records);
        closed.add(new Ready(file, records, n));
      } catch (IOException | RuntimeException e) {
        LOG.warn("data capture: cannot recover the spooled file {}: {}", f, e.getMessage());
      }
    }
  }

  /** A file the run was stopped in the middle of writing ends at its last whole line. */
  private static void dropPartialLine(Path file) throws IOException {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      long end = ch.size();
      java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
      while (end > 0) {
        one.clear();
        ch.read(one, end - 1);
        if (one.get(0) == '\n') {
          break;
        }
        end--;
      }
      ch.truncate(end);
    }
  }

  private void write() {
    long rotated = System.nanoTime();
    while (true) {
      Entry e;
      try {
        e = sink.poll(100);
      } catch (InterruptedException ie) {
        e = null;
        running = false;
      }
      if (e != null) {
        append(e);
      } else if (!running) {
        break;
      }
      // Not after every record: a file's age is checked a few times a second, when idle at once.
      long now = System.nanoTime();
      if (e == null || now - rotated >= ROTATE_EVERY_NANOS) {
        rotate(false);
        rotated = now;
      }
    }
    rotate(true);
  }

  private void append(Entry e) {
    Captured c = e.captured();
    DataCaptureConfig config = e.config();
    String key = config.destination() + "\n" + c.endpoint() + "\n" + c.variant();
    String hour = HOUR.format(c.time());
    Open f = open.get(key);
    if (f != null && !f.hour.equals(hour)) {
      finish(key, f);
      f = null;
    }
    long counted = 0;
    try {
      String line = CaptureRecord.line(c, config, CaptureRecord.randomId());
      long size = utf8Length(line) + 1;
      if (!room(size, e.counters())) {
        return; // before a file is opened for it: a full spool makes no empty files
      }
      counted = size;
      if (f == null) {
        S3Uri target = config.destination().child(c.endpoint() + "/" + c.variant() + "/" + hour + "/"
            + NAME.format(c.time()) + "-" + CaptureRecord.randomId() + ".jsonl");
        Path file = root.resolve(target.bucket()).resolve(target.key() + PART).normalize();
        if (!file.startsWith(root)) {
          throw new IOException("the destination's key leaves the spool directory");
        }
        Files.createDirectories(file.getParent());
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
        f = new Open(file, hour, out, e.counters());
        open.put(key, f);
      }
      sink.written(c.endpoint(), c.variant(), line);
      f.out.write(line);
      f.out.write('\n');
      f.records++;
      if (f.records >= options.fileRecords()) {
        finish(key, f);
      }
    } catch (IOException | RuntimeException ex) {
      bytes.addAndGet(-counted);
      e.counters().pending.decrementAndGet();
      e.counters().dropped.incrementAndGet();
      e.counters().lastError = "cannot spool a record: " + ex.getMessage();
      LOG.warn("data capture of {}: cannot spool a record: {}", c.endpoint(), ex.getMessage());
    }
  }

  /** The bytes the spool's files hold now. */
  long bytes() {
    return bytes.get();
  }

  /**
   * Whether a line of {@code size} bytes fits under the spool's cap; counted in if so, else the
   * record is dropped and counted, and the first refusal of a full spool logged.
   */
  private boolean room(long size, Counters counters) {
    long cap = options.spoolBytes();
    if (bytes.get() + size <= cap) {
      if (full) {
        full = false;
        LOG.info("data capture: the spool has room again ({} of {} bytes); records are spooled again", bytes.get(), cap);
      }
      bytes.addAndGet(size);
      return true;
    }
    counters.pending.decrementAndGet();
    counters.dropped.incrementAndGet();
    counters.droppedSpoolFull.incrementAndGet();
    counters.lastError = "the capture spool is full (" + bytes.get() + " of " + cap + " bytes, captureSpoolMaxMib):"
        + " new records are dropped until uploads to the store free room";
    if (!full) {
      full = true;
      LOG.warn("data capture: {}", counters.lastError);
    }
    return false;
  }

  /** The UTF-8 length of {@code s}, without encoding it. */
  static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch < 0x80) {
        n++;
      } else if (ch < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** Closes the files that are old enough (all of them with {@code all}). */
  private void rotate(boolean all) {
    long age = options.fileAge().toNanos();
    long now = System.nanoTime();
    for (Iterator<Map.Entry<String, Open>> it = new ArrayList<>(open.entrySet()).iterator(); it.hasNext();) {
      Map.Entry<String, Open> e = it.next();
      if (all || now - e.getValue().openedAt >= age) {
        finish(e.getKey(), e.getValue());
      }
    }
  }

  private void finish(String key, Open f) {
    open.remove(key);
    try {
      f.out.close();
      String name = f.file.getFileName().toString();
      Path done = f.file.resolveSibling(name.substring(0, name.length() - PART.length()));
      Files.move(f.file, done, StandardCopyOption.ATOMIC_MOVE);
      closed.add(new Ready(done, f.records, f.counters));
    } catch (IOException e) {
      f.counters.lastError = "cannot close the spooled file " + f.file + ": " + e.getMessage();
      LOG.warn("data capture: {}", f.counters.lastError);
    }
  }

  private void upload() {
    ArrayDeque<Ready> waiting = new ArrayDeque<>();
    while (running || !closed.isEmpty() || !waiting.isEmpty()) {
      try {
        Ready next = closed.poll(200, TimeUnit.MILLISECONDS);
        if (next != null) {
          waiting.add(next);
        }
      } catch (InterruptedException e) {
        if (!running) {
          return; // what is left stays spooled for the next run
        }
      }
      closed.drainTo(waiting);
      while (!waiting.isEmpty()) {
        Ready r = waiting.peek();
        if (!send(r)) {
          if (!pause()) {
            return;
          }
          break;
        }
        waiting.poll();
      }
      if (!running && closed.isEmpty()) {
        return;
      }
    }
  }

  /** Uploads one file; false when the store failed (the file stays). */
  private boolean send(Ready r) {
    Path rel = root.relativize(r.file());
    S3Uri target = new S3Uri(rel.getName(0).toString(), rel.subpath(1, rel.getNameCount()).toString().replace('\\', '/'));
    try {
      if (buckets.add(target.bucket())) {
        try {
          store.ensureBucket(target.bucket());
        } catch (RuntimeException e) {
          buckets.remove(target.bucket());
          throw e;
        }
      }
      long size = Files.size(r.file());
      store.uploadFile(r.file(), target, ObjectStore.Progress.NONE);
      Files.deleteIfExists(r.file());
      bytes.addAndGet(-size);
      r.counters().uploaded.addAndGet(r.records());
      r.counters().uploadedFiles.incrementAndGet();
      r.counters().pending.addAndGet(-r.records());
      r.counters().lastUpload = java.time.Instant.now();
      r.counters().lastError = null;
      return true;
    } catch (IOException | RuntimeException e) {
      r.counters().lastError = "cannot upload " + target + ": " + e.getMessage()
          + "; the records stay spooled and are tried again";
      LOG.info("data capture: {}", r.counters().lastError);
      return false;
    }
  }

  /** Waits before the next try; false when stopped meanwhile. */
  private boolean pause() {
    try {
      Thread.sleep(options.retryEvery().toMillis());
      return true;
    } catch (InterruptedException e) {
      return running;
    }
  }
}
