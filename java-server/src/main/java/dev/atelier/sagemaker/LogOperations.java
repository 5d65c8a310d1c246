package dev.atelier.sagemaker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.jobs.JobLog;
import dev.atelier.jobs.JobService;
import dev.atelier.jobs.JobStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two CloudWatch Logs operations the SageMaker SDK tails job logs with ({@code logs=True}):
 * DescribeLogStreams and GetLogEvents over the jobs' own logs, with SageMaker's group names
 * ({@code /aws/sagemaker/TrainingJobs}, {@code /aws/sagemaker/ProcessingJobs}) and one stream per job,
 * {@code <job>/algo-1-<creation epoch seconds>}. {@code nextForwardToken} is {@code f/<offset>}; with no
 * new events it comes back unchanged, which is how clients know they are at the end.
 */
final class LogOperations {
  private static final Map<String, String> GROUPS = Map.of(
      "/aws/sagemaker/TrainingJobs", "training", "/aws/sagemaker/ProcessingJobs", "processing");
  private static final Pattern FORWARD = Pattern.compile("f/(\\d{1,18})");
  private static final Set<String> STREAMS_MEMBERS = Set.of("logGroupName", "logGroupIdentifier",
      "logStreamNamePrefix", "orderBy", "descending", "nextToken", "limit");
  private static final Set<String> EVENTS_MEMBERS = Set.of("logGroupName", "logGroupIdentifier", "logStreamName",
      "startTime", "endTime", "nextToken", "limit", "startFromHead", "unmask");

  private final JobService jobs;
  private final String account;

  LogOperations(JobService jobs, String account) {
    this.jobs = jobs;
    this.account = account;
  }

  Map<String, Operation> operations() {
    return Map.of("DescribeLogStreams", this::describeLogStreams, "GetLogEvents", this::getLogEvents);
  }

  private JsonNode describeLogStreams(Operation.Caller caller, JsonNode in) {
    Input q = Input.of("DescribeLogStreams", in, STREAMS_MEMBERS);
    String group = group(q);
    String kind = GROUPS.get(group);
    String prefix = q.string("logStreamNamePrefix", false, 512);
    String orderBy = q.oneOf("orderBy", "LogStreamName", List.of("LogStreamName", "LastEventTime"));
    if (prefix != null && "LastEventTime".equals(orderBy)) {
      throw invalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
    }
    boolean descending = q.bool("descending", false);
    int limit = q.integer("limit", 50, 1, 50);
    q.string("nextToken", false, 1024);
    List<String> names = new ArrayList<>();
    int slash = prefix == null ? -1 : prefix.indexOf('/');
    if (slash > 0) {
      names.add(prefix.substring(0, slash));
    } else {
      jobs.list(new JobStore.Filter(kind, null, null, null, caller.owner(), 1000)).forEach(s -> names.add(s.get("Name").asText()));
    }
    List<ObjectNode> streams = new ArrayList<>();
    for (String name : names) {
      ObjectNode d = describeOrNull(caller, kind, name);
      if (d == null) {
        continue;
      }
      String stream = streamName(name, d);
      if (prefix != null && !stream.startsWith(prefix)) {
        continue;
      }
      Instant created = Shapes.instant(d.path("CreationTime").asText(null));
      Instant modified = Shapes.instant(d.path("LastModifiedTime").asText(null));
      long c = created == null ? 0 : created.toEpochMilli();
      long m = modified == null ? c : modified.toEpochMilli();
      streams.add(Json.mapper().createObjectNode()
          .put("logStreamName", stream)
          .put("creationTime", c)
          .put("firstEventTimestamp", c)
          .put("lastEventTimestamp", m)
          .put("lastIngestionTime", m)
          .put("uploadSequenceToken", "0")
          .put("arn", "arn:aws:logs:" + caller.region() + ":" + account + ":log-group:" + group + ":log-stream:" + stream)
          .put("storedBytes", 0));
    }
    java.util.Comparator<ObjectNode> cmp = "LastEventTime".equals(orderBy)
        ? java.util.Comparator.comparingLong(s -> s.get("lastEventTimestamp").asLong())
        : java.util.Comparator.comparing(s -> s.get("logStreamName").asText());
    streams.sort(descending ? cmp.reversed() : cmp);
    ObjectNode out = Json.mapper().createObjectNode();
    ArrayNode list = out.putArray("logStreams");
    streams.stream().limit(limit).forEach(list::add);
    return out;
  }

  private JsonNode getLogEvents(Operation.Caller caller, JsonNode in) {
    Input q = Input.of("GetLogEvents", in, EVENTS_MEMBERS);
    String kind = GROUPS.get(group(q));
    String stream = q.string("logStreamName", true, 512);
    long start = q.longValue("startTime", 0);
    long end = q.longValue("endTime", Long.MAX_VALUE);
    int limit = q.integer("limit", 10_000, 1, 10_000);
    boolean fromHead = q.bool("startFromHead", false);
    q.bool("unmask", false);
    String token = q.string("nextToken", false, 1024);
    int slash = stream.indexOf('/');
    ObjectNode d = slash > 0 ? describeOrNull(caller, kind, stream.substring(0, slash)) : null;
    if (d == null || !stream.equals(streamName(stream.substring(0, slash), d))) {
      throw new AwsException(400, "ResourceNotFoundException", "The specified log stream does not exist.");
    }
    String name = stream.substring(0, slash);
    List<ObjectNode> events;
    long next;
    if (token != null) {
      Matcher m = FORWARD.matcher(token);
      if (!m.matches()) {
        throw invalid("nextToken: '" + SigV4.abbreviate(token) + "' is not a nextForwardToken this stream returned");
      }
      JobLog.Page page = jobs.logs(kind, name, Long.parseLong(m.group(1)), limit, caller.owner());
      events = page.events();
      next = page.next();
    } else if (fromHead) {
      JobLog.Page page = jobs.logs(kind, name, 0, limit, caller.owner());
      events = page.events();
      next = page.next();
    } else {
      // The latest events, as CloudWatch answers without a token when not reading from the head.
      JobLog.Page page = jobs.logs(kind, name, 0, Integer.MAX_VALUE, caller.owner());
      events = page.events().subList(Math.max(0, page.events().size() - limit), page.events().size());
      next = page.next();
    }
    ObjectNode out = Json.mapper().createObjectNode();
    ArrayNode list = out.putArray("events");
    for (ObjectNode e : events) {
      long t = e.path("timestamp").asLong();
      if (t >= start && t < end) {
        list.addObject().put("timestamp", t).put("message", e.path("message").asText()).put("ingestionTime", t);
      }
    }
    out.put("nextForwardToken", "f/" + next);
    return out;
  }

  /** The log group a request names; an unknown group is CloudWatch's ResourceNotFoundException. */
  private static String group(Input q) {
    String group = q.has("logGroupName") ? q.string("logGroupName", true, 512) : q.string("logGroupIdentifier", false, 2048);
    if (group == null) {
      throw invalid("logGroupName: give one of " + String.join(", ", new java.util.TreeSet<>(GROUPS.keySet())));
    }
    if (!GROUPS.containsKey(group)) {
      throw new AwsException(400, "ResourceNotFoundException", "The specified log group does not exist.");
    }
    return group;
  }

  private ObjectNode describeOrNull(Operation.Caller caller, String kind, String name) {
    if (!Input.NAME.matcher(name).matches()) {
      return null;
    }
    try {
      return jobs.describe(kind, name, caller.owner());
    } catch (ApiException e) {
      if (e.status() == 404) {
        return null;
      }
      throw JobOperations.translate(e);
    }
  }

  /** SageMaker's stream of a job's first instance. */
  static String streamName(String job, ObjectNode description) {
    Instant created = Shapes.instant(description.path("CreationTime").asText(null));
    return job + "/algo-1-" + (created == null ? 0 : created.getEpochSecond());
  }

  private static AwsException invalid(String message) {
    return new AwsException(400, "InvalidParameterException", message);
  }
}
