package dev.atelier.kernels;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** One kernel the gateway manages: what it is, and its live state. */
public final class Kernel {
  /** Jupyter's model format: exactly six fraction digits and a Z. */
  static final DateTimeFormatter JUPYTER_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private final String id;
  private final String specName;
  private final String displayName;
  private final String language;
  private final String path;
  private final Instant started;
  private volatile Instant lastActivity;
  private volatile String executionState = "starting";
  private volatile int connections;
  private volatile String reason;
  private volatile KernelConnection connection;
  private volatile String instanceId;
  private volatile String instanceType;
  private volatile String image;
  private volatile Launch launch;
  private volatile Death lastDeath;
  private volatile int restartCount;
  private volatile int restartLimit;

  /**
   * What the kernel was started with, kept so that it can be started again elsewhere (its
   * instance stopped): the kernelspec, the start request's environment, the working directory
   * and the key its messages are signed with.
   */
  record Launch(String specName, Map<String, String> env, String cwd, String key) {}

  /**
   * The kernel's last unexpected end: when, why in words, the signal or exit code when there was
   * one, whether the instance's memory limit killed it, and whether it was restarted automatically.
   */
  record Death(Instant at, String reason, Integer signal, Integer exitCode, boolean oomKilled, boolean restarted) {
    Death withRestarted(boolean r) {
      return new Death(at, reason, signal, exitCode, oomKilled, r);
    }
  }

  Kernel(String id, String specName, String displayName, String language, String path, Instant started) {
    this.id = id;
    this.specName = specName;
    this.displayName = displayName;
    this.language = language;
    this.path = path;
    this.started = started;
    this.lastActivity = started;
  }

  public String id() {
    return id;
  }

  public String specName() {
    return specName;
  }

  public String executionState() {
    return executionState;
  }

  public Instant lastActivity() {
    return lastActivity;
  }

  public int connections() {
    return connections;
  }

  public String reason() {
    return reason;
  }

  public String path() {
    return path;
  }

  KernelConnection connection() {
    return connection;
  }

  void connection(KernelConnection c) {
    this.connection = c;
  }

  void executionState(String state) {
    this.executionState = state;
  }

  void dead(String why) {
    this.executionState = "dead";
    this.reason = why;
  }

  Launch launch() {
    return launch;
  }

  void launch(Launch l) {
    this.launch = l;
  }

  Death lastDeath() {
    return lastDeath;
  }

  void lastDeath(Death d) {
    this.lastDeath = d;
  }

  /** Consecutive automatic restarts (what the restart limit counts), and that limit. */
  void restarts(int count, int limit) {
    this.restartCount = count;
    this.restartLimit = limit;
  }

  public int restartCount() {
    return restartCount;
  }

  public String image() {
    return image;
  }

  void alive() {
    this.reason = null;
  }

  void touch(Instant when) {
    this.lastActivity = when;
  }

  void connections(int n) {
    this.connections = n;
  }

  boolean isDead() {
    return "dead".equals(executionState);
  }

  /** Where the kernel runs: its instance, that instance's type and image. */
  public void placement(String instanceId, String instanceType, String image) {
    this.instanceId = instanceId;
    this.instanceType = instanceType;
    this.image = image;
  }

  public String instanceId() {
    return instanceId;
  }

  public String instanceType() {
    return instanceType;
  }

  /** The Kernel Gateway model jupyter_server reads. */
  public ObjectNode gatewayModel() {
    ObjectNode m = Json.mapper().createObjectNode();
    m.put("id", id);
    m.put("name", specName);
    m.put("last_activity", JUPYTER_TIME.format(lastActivity));
    m.put("execution_state", executionState);
    m.put("connections", connections);
    return m;
  }

  /** Atelier's richer model for its own panels. */
  public ObjectNode atelierModel() {
    ObjectNode m = gatewayModel();
    m.put("display_name", displayName);
    m.put("language", language);
    m.put("path", path);
    m.put("started", JUPYTER_TIME.format(started));
    // Why it died, how often it came back: for Atelier's extension (the Kernel Gateway model
    // above stays exactly the contract's).
    m.put("reason", reason);
    m.put("restart_count", restartCount);
    m.put("restart_limit", restartLimit);
    Death d = lastDeath;
    if (d == null) {
      m.putNull("last_death");
    } else {
      ObjectNode n = m.putObject("last_death");
      n.put("at", JUPYTER_TIME.format(d.at()));
      n.put("reason", d.reason());
      n.put("signal", d.signal());
      n.put("exit_code", d.exitCode());
      n.put("oom_killed", d.oomKilled());
      n.put("restarted", d.restarted());
    }
    KernelConnection c = connection;
    m.put("dropped_messages", c == null ? 0 : c.badSignatures());
    m.put("instance_id", instanceId);
    m.put("instance_type", instanceType);
    m.put("image", image);
    return m;
  }
}
