package dev.atelier.jobs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * One job's live state: its SageMaker-shaped description, written through to the store on every
 * status change, and its log. Progress updates stay in memory and are stored at most once a second.
 */
public final class Job {
  public static final String TRAINING = "training";
  public static final String PROCESSING = "processing";

  private final JobKind<?> jobKind;
  private final String kind;
  private final String name;
  private final String instanceType;
  private final String image;
  private final String createdBy;
  private final long createdAt;
  private final ObjectNode d;
  private final JobLog log;
  private final JobStore store;
  private final Clock clock;
  private final Consumer<Job> changed;
  private String containerId;
  private long lastProgressSave;

  Job(JobKind<?> jobKind, JobStore.Row row, JobLog log, JobStore store, Clock clock, Consumer<Job> changed) {
    this.jobKind = jobKind;
    this.kind = row.kind();
    this.name = row.name();
    this.instanceType = row.instanceType();
    this.image = row.image();
    this.createdBy = row.createdBy();
    this.createdAt = row.createdAt();
    this.d = row.description();
    this.containerId = row.containerId();
    this.log = log;
    this.store = store;
    this.clock = clock;
    this.changed = changed;
  }

  public String kind() {
    return kind;
  }

  public String name() {
    return name;
  }

  public JobLog log() {
    return log;
  }

  public String instanceType() {
    return instanceType;
  }

  public String image() {
    return image;
  }

  public String createdBy() {
    return createdBy;
  }

  public long createdAt() {
    return createdAt;
  }

  Instant now() {
    return clock.instant();
  }

  private String statusField() {
    return jobKind.statusField();
  }

  public synchronized String status() {
    return d.path(statusField()).asText();
  }

  public synchronized String secondary() {
    return d.path("SecondaryStatus").asText();
  }

  public synchronized String containerId() {
    return containerId;
  }

  /** A copy of the description, safe to serialize while the job runs. */
  public synchronized ObjectNode describe() {
    return d.deepCopy();
  }

  /** Runs {@code edit} on the description and stores the result. */
  public void edit(Consumer<ObjectNode> edit) {
    synchronized (this) {
      edit.accept(d);
      save();
    }
    changed.accept(this);
  }

  synchronized void setContainer(String id) {
    containerId = id;
    save();
  }

  /**
   * Enters a secondary status: the current transition ends, a new one starts. The message also
   * goes to the log.
   */
  public void transition(String secondary, String message) {
    synchronized (this) {
      addTransition(clock.instant(), secondary, message, false);
      save();
    }
    log.note(secondary + ": " + message);
    changed.accept(this);
  }

  /** Closes the open transition and opens (or, when {@code last}, opens and closes) the next. */
  private void addTransition(Instant now, String secondary, String message, boolean last) {
    ArrayNode ts = d.withArray("SecondaryStatusTransitions");
    if (!ts.isEmpty()) {
      ObjectNode open = (ObjectNode) ts.get(ts.size() - 1);
      if (!open.has("EndTime")) {
        open.put("EndTime", now.toString());
      }
    }
    ObjectNode t = ts.addObject();
    t.put("Status", secondary);
    t.put("StartTime", now.toString());
    if (last) {
      t.put("EndTime", now.toString());
    }
    t.put("StatusMessage", message);
    d.put("SecondaryStatus", secondary);
    d.put("LastModifiedTime", now.toString());
    d.remove("Progress");
  }

  /** Updates the current transition's message (retries, waiting) without a new transition. */
  public void statusMessage(String message) {
    synchronized (this) {
      ArrayNode ts = d.withArray("SecondaryStatusTransitions");
      if (!ts.isEmpty()) {
        ((ObjectNode) ts.get(ts.size() - 1)).put("StatusMessage", message);
      }
      save();
    }
    log.note(message);
    changed.accept(this);
  }

  public void status(String status) {
    synchronized (this) {
      d.put(statusField(), status);
      d.put("LastModifiedTime", clock.instant().toString());
      save();
    }
    changed.accept(this);
  }

  /** Ends the job: status, end time and the final transition change together, in one event. */
  public void finish(String status, String secondary, String message, String failureReason) {
    synchronized (this) {
      Instant now = clock.instant();
      if (failureReason != null) {
        d.put("FailureReason", failureReason.length() > 1024 ? failureReason.substring(0, 1024) : failureReason);
      }
      d.put(jobKind.endField(), now.toString());
      jobKind.finished(d, startedAt(), now);
      d.put(statusField(), status);
      addTransition(now, secondary, message, true);
      save();
    }
    log.note(secondary + ": " + message);
    changed.accept(this);
  }

  private String startField() {
    return jobKind.startField();
  }

  /** When the job's container started, or null before. */
  public synchronized Instant startedAt() {
    String s = d.path(startField()).asText(null);
    return s == null ? null : Instant.parse(s);
  }

  /** Records the container's start and enters the running secondary status. */
  void started(Instant at, String secondary, String message) {
    synchronized (this) {
      d.put(startField(), at.toString());
      addTransition(at, secondary, message, false);
      save();
    }
    log.note(secondary + ": " + message);
    changed.accept(this);
  }

  /** Bytes moved in the current phase; stored at most once a second. */
  public void progress(String phase, long done, long total) {
    boolean save;
    synchronized (this) {
      ObjectNode p = d.putObject("Progress");
      p.put("Phase", phase);
      p.put("BytesDone", done);
      p.put("BytesTotal", total);
      long now = System.nanoTime();
      save = now - lastProgressSave > 1_000_000_000L || done >= total;
      if (save) {
        lastProgressSave = now;
        save();
      }
    }
    if (save) {
      changed.accept(this);
    }
  }

  private void save() {
    store.update(kind, name, status(), secondary(), containerId, d, clock.millis());
  }
}
