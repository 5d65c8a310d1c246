package dev.atelier.debugger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;

/**
 * One rule's evaluation status as SageMaker reports it ({@code DebugRuleEvaluationStatus}), worked
 * out from what its container prints and how it exits. The runner prints status lines, one JSON
 * object after {@code ATELIER_RULE_STATUS }; the last line wins. Thread-safe: lines arrive on the
 * engine's log thread, the exit on the rule's own.
 */
final class RuleStatus {
  static final String PREFIX = "ATELIER_RULE_STATUS ";
  static final Set<String> REPORTED = Set.of("InProgress", "IssuesFound", "NoIssuesFound", "Error");
  private static final int TAIL = 8;
  private static final int MAX_DETAILS = 1024;

  /** One status line of the runner. */
  record Line(String status, String details, Long step, String tensor, String mode, String action) {}

  private final RuleConfigs.Rule rule;
  private final String arn;
  private final String jobName;
  private final Deque<String> tail = new ArrayDeque<>();
  private String status = "InProgress";
  private String details = "";
  private Long step;
  private String tensor;
  private String mode;
  private Instant modified;
  private String lastError;
  private boolean stopAsked;
  private boolean done;

  RuleStatus(RuleConfigs.Rule rule, String arn, String jobName, Instant now) {
    this.rule = rule;
    this.arn = arn;
    this.jobName = jobName;
    this.modified = now;
  }

  RuleConfigs.Rule rule() {
    return rule;
  }

  /** The status line in {@code text}, or null when it is not one (any other output of the rule). */
  static Line parse(String text) {
    if (!text.startsWith(PREFIX)) {
      return null;
    }
    JsonNode n;
    try {
      n = Json.mapper().readTree(text.substring(PREFIX.length()));
    } catch (java.io.IOException e) {
      return null;
    }
    if (n == null || !n.isObject() || !REPORTED.contains(n.path("status").asText())) {
      return null;
    }
    Long step = n.path("step").canConvertToLong() && n.path("step").isIntegralNumber() ? n.get("step").asLong() : null;
    return new Line(n.get("status").asText(), text(n, "details"), step, text(n, "tensor"), text(n, "mode"),
        text(n, "action"));
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /**
   * Takes one line of the rule's output. Returns true the first time it asks the server to stop the
   * training job: an IssuesFound line with {@code "action": "StopTraining"}, or the rule's own
   * parameters asking for it ({@code stop_training_on_fire}, an {@code action_json} StopTraining for
   * this job's prefix).
   */
  synchronized boolean onOutput(String text, Instant at) {
    Line line = parse(text);
    if (line == null) {
      if (tail.size() == TAIL) {
        tail.removeFirst();
      }
      tail.addLast(text.length() > 300 ? text.substring(0, 300) + "..." : text);
      return false;
    }
    if (done) {
      return false;
    }
    boolean later = status.equals("IssuesFound") && line.status().equals("IssuesFound") && step != null
        && !step.equals(line.step());
    if (later) {
      // The rule found another issue as it went on: the status keeps the first one, the step and
      // tensor it fired on (what the runner's final line repeats), so it does not move while the
      // job is being stopped.
      modified = at;
      return false;
    }
    status = line.status();
    details = line.details() == null ? "" : line.details();
    if (line.status().equals("Error")) {
      lastError = details;
    }
    if (line.step() != null || line.tensor() != null) {
      step = line.step();
      tensor = line.tensor();
      mode = line.mode();
    }
    modified = at;
    boolean stop = line.status().equals("IssuesFound") && ("StopTraining".equals(line.action()) || asksToStop());
    if (stop && !stopAsked) {
      stopAsked = true;
      return true;
    }
    return false;
  }

  /** Whether the rule's parameters ask for the training to stop when it finds issues. */
  boolean asksToStop() {
    Map<String, String> p = rule.params();
    if ("true".equalsIgnoreCase(p.getOrDefault("stop_training_on_fire", "").strip())) {
      return true;
    }
    String json = p.get("action_json");
    if (json == null) {
      return false;
    }
    try {
      JsonNode a = Json.mapper().readTree(json);
      for (JsonNode action : a.isArray() ? a : Json.mapper().createArrayNode().add(a)) {
        JsonNode st = action.get("StopTraining");
        if (st != null) {
          String prefix = st.path("training_job_prefix").asText("");
          if (prefix.isEmpty() || jobName.startsWith(prefix)) {
            return true;
          }
        }
      }
    } catch (java.io.IOException e) {
      // checked at creation; unreadable now is no request to stop
    }
    return false;
  }

  /**
   * The rule container has exited.
   *
   * @param stoppedByServer whether the server stopped it (the training ended and its grace ran out)
   */
  synchronized void onExit(long code, boolean oomKilled, boolean stoppedByServer, Instant at) {
    if (done) {
      return;
    }
    done = true;
    modified = at;
    if (stoppedByServer && !status.equals("IssuesFound") && !status.equals("NoIssuesFound")) {
      status = "Stopped";
      details = "Stopped: the rule was still evaluating " + DebugSession.RULE_GRACE.toSeconds()
          + " s after the training job ended" + (details.isEmpty() ? "" : " (last: " + details + ")");
    } else if (code == 0 && (status.equals("IssuesFound") || status.equals("NoIssuesFound"))) {
      return;
    } else if (code == 0 && status.equals("InProgress")) {
      status = "Error";
      details = "the rule exited without reporting a final status (NoIssuesFound or IssuesFound)" + tailText();
    } else if (code != 0 || status.equals("Error")) {
      String why = lastError != null && !lastError.isBlank() ? lastError
          : "the rule container exited with code " + code + (oomKilled ? " (out of memory: it reached the "
              + rule.type().name() + " memory limit)" : "") + tailText();
      status = "Error";
      details = why;
    }
  }

  /** The rule could not run at all (its container could not be created or started). */
  synchronized void failed(String why, Instant at) {
    done = true;
    status = "Error";
    details = why;
    modified = at;
  }

  /** The training ended before the rule started: there is nothing for it to evaluate. */
  synchronized void neverStarted(String why, Instant at) {
    if (!done) {
      done = true;
      status = "Stopped";
      details = why;
      modified = at;
    }
  }

  /** The rule's grace period ran out and the server is stopping its container. */
  synchronized void stopping(Instant at) {
    if (!done && status.equals("InProgress")) {
      status = "Stopping";
      modified = at;
    }
  }

  synchronized String status() {
    return status;
  }

  synchronized boolean done() {
    return done;
  }

  synchronized String details() {
    return details;
  }

  private String tailText() {
    return tail.isEmpty() ? "" : "; last output: " + String.join(" | ", tail);
  }

  /** SageMaker's DebugRuleEvaluationStatus, with the step, tensor and mode the rule last reported. */
  synchronized ObjectNode toJson() {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("RuleConfigurationName", rule.name());
    o.put("RuleEvaluationJobArn", arn);
    o.put("RuleEvaluationStatus", status);
    o.put("StatusDetails", details.length() > MAX_DETAILS ? details.substring(0, MAX_DETAILS - 3) + "..." : details);
    o.put("LastModifiedTime", modified.toString());
    if (step != null) {
      o.put("Step", step);
    }
    if (tensor != null) {
      o.put("TensorName", tensor);
    }
    if (mode != null) {
      o.put("Mode", mode);
    }
    return o;
  }
}
