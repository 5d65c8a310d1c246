package dev.atelier.sagemaker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.jobs.JobKind;
import dev.atelier.jobs.JobService;
import dev.atelier.jobs.JobStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SageMaker's training and processing job operations over Atelier's {@link JobService}: a job
 * created here is the job the Jobs panel and the REST API show, and the other way round.
 */
final class JobOperations {
  private static final List<String> STATUSES = List.of("InProgress", "Completed", "Failed", "Stopping", "Stopped");
  private static final Set<String> LIST_MEMBERS = Set.of("CreationTimeAfter", "CreationTimeBefore",
      "LastModifiedTimeAfter", "LastModifiedTimeBefore", "NameContains", "StatusEquals", "SortBy", "SortOrder",
      "NextToken", "MaxResults");
  private static final java.util.regex.Pattern NAME_CONTAINS = java.util.regex.Pattern.compile("[a-zA-Z0-9\\-]+");

  private final JobService jobs;
  private final String account;
  private final TagOperations tags;

  JobOperations(JobService jobs, String account, TagOperations tags) {
    this.jobs = jobs;
    this.account = account;
    this.tags = tags;
  }

  /** Whether {@code owner} has a job of this ARN type ({@code training-job}) and lower-cased name. */
  static boolean exists(JobService jobs, String owner, String arnType, String lowerName) {
    String kind = arnType.substring(0, arnType.length() - "-job".length());
    if (!Input.NAME.matcher(lowerName).matches()) {
      return false;
    }
    return jobs.list(new JobStore.Filter(kind, null, lowerName, null, owner, 10_000)).stream()
        .anyMatch(s -> s.path("Name").asText().equalsIgnoreCase(lowerName));
  }

  /** Create, Describe, List and Stop for training and processing jobs, by operation name. */
  Map<String, Operation> operations() {
    return Map.of(
        "CreateTrainingJob", (c, in) -> create("training", c, in),
        "DescribeTrainingJob", (c, in) -> describe("training", c, in),
        "ListTrainingJobs", (c, in) -> list("training", c, in),
        "StopTrainingJob", (c, in) -> stop("training", c, in),
        "CreateProcessingJob", (c, in) -> create("processing", c, in),
        "DescribeProcessingJob", (c, in) -> describe("processing", c, in),
        "ListProcessingJobs", (c, in) -> list("processing", c, in),
        "StopProcessingJob", (c, in) -> stop("processing", c, in));
  }

  private JsonNode create(String kindName, Operation.Caller caller, JsonNode in) {
    JobKind<?> kind = jobs.kinds().of(kindName);
    // Checked first, so that a bad name is refused in SageMaker's wording before anything else.
    String name = nameOf(in, kind.nameField());
    Map<String, String> tagged = TagOperations.parse(in.get("Tags"), "tags");
    try {
      createAs(kind, (ObjectNode) in, caller.owner());
    } catch (ApiException e) {
      if (e.status() == 409) {
        throw new AwsException(400, "ResourceInUse", kind.noun() + " job names must be unique within an AWS account"
            + " and region, and a " + kind.noun().toLowerCase(java.util.Locale.ROOT) + " job with this name already"
            + " exists (" + arn(caller, kind, name) + ")");
      }
      // What the request names and is missing (an image, an object) is the request's fault here.
      throw e.status() == 404 ? AwsException.validation(e.getMessage()) : translate(e);
    }
    tags.created(caller, kind.name() + "-job", name, tagged);
    return Json.mapper().createObjectNode().put(kind.arnField(), arn(caller, kind, name));
  }

  private <S extends JobKind.Request> void createAs(JobKind<S> kind, ObjectNode body, String owner) {
    S spec = jobs.parse(kind, body);
    jobs.create(kind, spec, body, owner);
  }

  private JsonNode describe(String kindName, Operation.Caller caller, JsonNode in) {
    JobKind<?> kind = jobs.kinds().of(kindName);
    String name = Input.of("Describe" + kind.noun() + "Job", in, Set.of(kind.nameField())).name(kind.nameField());
    ObjectNode d;
    try {
      d = jobs.describe(kindName, name, caller.owner());
    } catch (ApiException e) {
      throw translate(e);
    }
    ObjectNode out = Shapes.withEpochTimes(d);
    out.put(kind.arnField(), arn(caller, kind, name));
    if (kindName.equals("training")) {
      // Required members of the output: clients index them even while the job runs.
      if (!out.path("ModelArtifacts").isObject()) {
        out.putObject("ModelArtifacts").put("S3ModelArtifacts", "");
      }
      // AWS answers an empty KmsKeyId when none was given; Estimator.attach indexes it.
      if (out.path("OutputDataConfig").isObject() && !out.path("OutputDataConfig").has("KmsKeyId")) {
        ((ObjectNode) out.get("OutputDataConfig")).put("KmsKeyId", "");
      }
      if (!out.path("StoppingCondition").isObject()) {
        out.putObject("StoppingCondition").put("MaxRuntimeInSeconds", 86_400);
      }
      // Rule evaluations are named like processing jobs; their ARNs take the caller's region as the job's do.
      for (String list : List.of("DebugRuleEvaluationStatuses", "ProfilerRuleEvaluationStatuses")) {
        for (JsonNode s : out.path(list)) {
          String ruleArn = s.path("RuleEvaluationJobArn").asText("");
          if (s instanceof ObjectNode o && ruleArn.contains("/")) {
            o.put("RuleEvaluationJobArn", Shapes.arn(caller.region(), account, "processing-job",
                ruleArn.substring(ruleArn.lastIndexOf('/') + 1)));
          }
        }
      }
    }
    return out;
  }

  private JsonNode stop(String kindName, Operation.Caller caller, JsonNode in) {
    JobKind<?> kind = jobs.kinds().of(kindName);
    String name = Input.of("Stop" + kind.noun() + "Job", in, Set.of(kind.nameField())).name(kind.nameField());
    try {
      jobs.stop(kindName, name, caller.owner());
    } catch (ApiException e) {
      throw translate(e);
    }
    return Json.mapper().createObjectNode();
  }

  private JsonNode list(String kindName, Operation.Caller caller, JsonNode in) {
    JobKind<?> kind = jobs.kinds().of(kindName);
    Set<String> members = new java.util.HashSet<>(LIST_MEMBERS);
    if (kindName.equals("training")) {
      members.addAll(Set.of("WarmPoolStatusEquals", "TrainingPlanArnEquals"));
    }
    Input q = Input.of("List" + kind.noun() + "Jobs", in, members);
    Instant createdAfter = q.time("CreationTimeAfter");
    Instant createdBefore = q.time("CreationTimeBefore");
    Instant modifiedAfter = q.time("LastModifiedTimeAfter");
    Instant modifiedBefore = q.time("LastModifiedTimeBefore");
    String contains = q.matching("NameContains", false, 63, NAME_CONTAINS);
    String status = q.oneOf("StatusEquals", null, STATUSES);
    String sortBy = q.oneOf("SortBy", "CreationTime", List.of("Name", "CreationTime", "Status"));
    String order = q.oneOf("SortOrder", "Ascending", List.of("Ascending", "Descending"));
    String token = q.string("NextToken", false, 8192);
    int max = q.integer("MaxResults", 10, 1, 100);
    // No job here runs on a warm pool or a training plan: asking for one finds none.
    String warmPool = q.oneOf("WarmPoolStatusEquals", null, List.of("Available", "Terminated", "Reused", "InUse"));
    String plan = q.string("TrainingPlanArnEquals", false, 2048);
    boolean none = warmPool != null || plan != null;

    List<ObjectNode> found = new ArrayList<>();
    if (!none) {
      for (ObjectNode s : jobs.list(new JobStore.Filter(kindName, status, contains, null, caller.owner(), 10_000))) {
        Instant created = Shapes.instant(s.path("CreationTime").asText(null));
        Instant modified = Shapes.instant(s.path("LastModifiedTime").asText(null));
        modified = modified == null ? created : modified;
        if (within(created, createdAfter, createdBefore) && within(modified, modifiedAfter, modifiedBefore)) {
          found.add(summary(kind, caller, s, created, modified));
        }
      }
    }
    Comparator<ObjectNode> byName = Comparator.comparing(s -> s.get(kind.nameField()).asText());
    Comparator<ObjectNode> cmp = switch (sortBy) {
      case "Name" -> byName;
      case "Status" -> Comparator.<ObjectNode, String>comparing(s -> s.get(kind.statusField()).asText())
          .thenComparing(s -> s.get("CreationTime").asDouble()).thenComparing(byName);
      default -> Comparator.<ObjectNode>comparingDouble(s -> s.get("CreationTime").asDouble()).thenComparing(byName);
    };
    found.sort("Descending".equals(order) ? cmp.reversed() : cmp);
    String query = String.join("\u0000", String.valueOf(createdAfter), String.valueOf(createdBefore),
        String.valueOf(modifiedAfter), String.valueOf(modifiedBefore), String.valueOf(contains),
        String.valueOf(status), sortBy, order, String.valueOf(none));
    PageToken.Page<ObjectNode> page = PageToken.page(found, token, max, query);
    ObjectNode out = Json.mapper().createObjectNode();
    ArrayNode items = out.putArray(kind.summariesField());
    page.items().forEach(items::add);
    if (page.nextToken() != null) {
      out.put("NextToken", page.nextToken());
    }
    return out;
  }

  private ObjectNode summary(JobKind<?> kind, Operation.Caller caller, ObjectNode s, Instant created, Instant modified) {
    String name = s.get("Name").asText();
    ObjectNode o = Json.mapper().createObjectNode();
    o.put(kind.nameField(), name);
    o.put(kind.arnField(), arn(caller, kind, name));
    o.set("CreationTime", Shapes.seconds(created));
    Instant end = Shapes.instant(s.path("EndTime").asText(null));
    if (end != null) {
      o.set(kind.endField(), Shapes.seconds(end));
    }
    o.set("LastModifiedTime", Shapes.seconds(modified));
    o.put(kind.statusField(), s.get("Status").asText());
    if (kind.name().equals("training")) {
      o.put("SecondaryStatus", s.path("SecondaryStatus").asText());
    } else if (s.hasNonNull("FailureReason")) {
      o.put("FailureReason", s.get("FailureReason").asText());
    }
    return o;
  }

  private static boolean within(Instant t, Instant after, Instant before) {
    return (after == null || (t != null && t.isAfter(after))) && (before == null || (t != null && t.isBefore(before)));
  }

  private String arn(Operation.Caller caller, JobKind<?> kind, String name) {
    return Shapes.arn(caller.region(), account, kind.name() + "-job", name);
  }

  /** The job name of a create request, checked against SageMaker's pattern before the rest. */
  private static String nameOf(JsonNode in, String member) {
    JsonNode v = in.get(member);
    ObjectNode only = Json.mapper().createObjectNode();
    if (v != null) {
      only.set(member, v);
    }
    return Input.of("Create request", only, Set.of(member)).name(member);
  }

  /** The job service's refusals in SageMaker's terms. */
  static AwsException translate(ApiException e) {
    return switch (e.status()) {
      case 404 -> AwsException.notFound();
      case 400, 409, 413 -> AwsException.validation(e.getMessage());
      case 503 -> new AwsException(503, "ServiceUnavailable", e.getMessage());
      default -> new AwsException(e.status() >= 500 ? 500 : 400, e.status() >= 500 ? "InternalFailure"
          : "ValidationException", e.getMessage());
    };
  }
}
