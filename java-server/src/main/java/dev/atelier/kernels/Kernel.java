package dev.atelier.kernels;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

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
    m.put("reason", reason);
    KernelConnection c = connection;
    m.put("dropped_messages", c == null ? 0 : c.badSignatures());
    m.put("instance_id", instanceId);
    m.put("instance_type", instanceType);
    m.put("image", image);
    return m;
  }
}
