package dev.atelier.jobs;

import static dev.atelier.jobs.Fields.bad;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.http.ApiException;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.catalog.InstanceType;
import dev.atelier.storage.KeyPolicy;
import dev.atelier.storage.ObjectStore.S3Uri;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** A validated CreateProcessingJob request (SageMaker's shape, File mode, one instance). */
public record ProcessingJobSpec(
    String name,
    String image,
    List<String> entrypoint,
    List<String> arguments,
    List<Mount> inputs,
    List<Mount> outputs,
    InstanceType instanceType,
    long maxRuntimeSeconds,
    Map<String, String> environment) implements JobKind.Request {

  /** An input staged from, or an output uploaded to, S3 at a path under /opt/ml/processing/. */
  public record Mount(String name, S3Uri uri, String localPath) {}

  static final String ROOT = "/opt/ml/processing/";
  private static final Set<String> TOP = Set.of("ProcessingJobName", "AppSpecification", "ProcessingInputs",
      "ProcessingOutputConfig", "ProcessingResources", "StoppingCondition", "Environment", "Tags",
      "RoleArn", "NetworkConfig", "ExperimentConfig");
  private static final Pattern ENV_KEY = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]{0,255}");
  private static final Pattern MOUNT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,255}");

  /**
   * @param keys the object store's key policy, which every S3 URI of the request must pass
   * @throws ApiException 400 naming the field at fault
   */
  public static ProcessingJobSpec parse(JsonNode body, InstanceCatalog types, KeyPolicy keys) {
    Fields.onlyKnown(body, "", TOP);
    String name = Fields.name(body, "ProcessingJobName", "");
    ExperimentConfig.parse(body);
    JsonNode app = Fields.object(body, "AppSpecification", "", true);
    Fields.onlyKnown(app, "AppSpecification", Set.of("ImageUri", "ContainerEntrypoint", "ContainerArguments"));
    String image = TrainingJobSpec.image(Fields.string(app, "ImageUri", "AppSpecification", true, 255),
        "AppSpecification.ImageUri");
    List<String> entrypoint = Fields.strings(app, "ContainerEntrypoint", "AppSpecification", 100, 256);
    List<String> arguments = Fields.strings(app, "ContainerArguments", "AppSpecification", 100, 256);

    Set<String> paths = new HashSet<>();
    List<Mount> inputs = new ArrayList<>();
    JsonNode in = Fields.array(body, "ProcessingInputs", "", 10);
    Set<String> names = new HashSet<>();
    for (int i = 0; in != null && i < in.size(); i++) {
      String p = "ProcessingInputs[" + i + "]";
      JsonNode x = in.get(i);
      if (!x.isObject()) {
        throw bad(p, "must be an object {InputName, S3Input}");
      }
      Fields.onlyKnown(x, p, Set.of("InputName", "S3Input", "AppManaged", "DatasetDefinition"));
      if (x.has("DatasetDefinition")) {
        throw bad(p + ".DatasetDefinition", "Athena and Redshift datasets are not available; use S3Input");
      }
      String n = mountName(x, "InputName", p, names);
      JsonNode s3 = Fields.object(x, "S3Input", p, true);
      String sp = p + ".S3Input";
      Fields.onlyKnown(s3, sp, Set.of("S3Uri", "LocalPath", "S3DataType", "S3InputMode", "S3DataDistributionType",
          "S3CompressionType"));
      S3Uri uri = Fields.s3(s3, "S3Uri", sp, true, keys, KeyPolicy.Use.PREFIX);
      String local = localPath(Fields.string(s3, "LocalPath", sp, true, 256), sp + ".LocalPath", paths);
      Fields.oneOf(s3, "S3DataType", sp, "S3Prefix", "S3Prefix");
      Fields.oneOf(s3, "S3InputMode", sp, "File", "File");
      Fields.oneOf(s3, "S3DataDistributionType", sp, "FullyReplicated", "FullyReplicated");
      Fields.oneOf(s3, "S3CompressionType", sp, "None", "None");
      inputs.add(new Mount(n, uri, local));
    }

    List<Mount> outputs = new ArrayList<>();
    JsonNode oc = Fields.object(body, "ProcessingOutputConfig", "", false);
    if (oc != null) {
      Fields.onlyKnown(oc, "ProcessingOutputConfig", Set.of("Outputs", "KmsKeyId"));
      JsonNode out = Fields.array(oc, "Outputs", "ProcessingOutputConfig", 10);
      Set<String> outNames = new HashSet<>();
      for (int i = 0; out != null && i < out.size(); i++) {
        String p = "ProcessingOutputConfig.Outputs[" + i + "]";
        JsonNode x = out.get(i);
        if (!x.isObject()) {
          throw bad(p, "must be an object {OutputName, S3Output}");
        }
        Fields.onlyKnown(x, p, Set.of("OutputName", "S3Output", "AppManaged", "FeatureStoreOutput"));
        String n = mountName(x, "OutputName", p, outNames);
        JsonNode s3 = Fields.object(x, "S3Output", p, true);
        String sp = p + ".S3Output";
        Fields.onlyKnown(s3, sp, Set.of("S3Uri", "LocalPath", "S3UploadMode"));
        S3Uri uri = Fields.s3(s3, "S3Uri", sp, true, keys, KeyPolicy.Use.PREFIX);
        String local = localPath(Fields.string(s3, "LocalPath", sp, true, 256), sp + ".LocalPath", paths);
        Fields.oneOf(s3, "S3UploadMode", sp, "EndOfJob", "EndOfJob");
        outputs.add(new Mount(n, uri, local));
      }
    }

    JsonNode res = Fields.object(body, "ProcessingResources", "", true);
    Fields.onlyKnown(res, "ProcessingResources", Set.of("ClusterConfig"));
    JsonNode cc = Fields.object(res, "ClusterConfig", "ProcessingResources", true);
    String cp = "ProcessingResources.ClusterConfig";
    Fields.onlyKnown(cc, cp, Set.of("InstanceCount", "InstanceType", "VolumeSizeInGB", "VolumeKmsKeyId"));
    Fields.integer(cc, "InstanceCount", cp, false, 1, 1);
    Fields.integer(cc, "VolumeSizeInGB", cp, false, 1, 16384);
    InstanceType type;
    try {
      type = types.require(Fields.string(cc, "InstanceType", cp, true, 64));
    } catch (ApiException e) {
      throw e.status() == 400 && !e.getMessage().startsWith(cp) ? bad(cp + ".InstanceType", e.getMessage()) : e;
    }
    long maxRuntime = 86_400;
    JsonNode stop = Fields.object(body, "StoppingCondition", "", false);
    if (stop != null) {
      Fields.onlyKnown(stop, "StoppingCondition", Set.of("MaxRuntimeInSeconds"));
      maxRuntime = Fields.integer(stop, "MaxRuntimeInSeconds", "StoppingCondition", true, 1, 604_800);
    }
    Map<String, String> env = Fields.stringMap(body, "Environment", "", 100, 256, 256, ENV_KEY);
    JsonNode tags = Fields.array(body, "Tags", "", 50);
    for (int i = 0; tags != null && i < tags.size(); i++) {
      if (!tags.get(i).isObject()) {
        throw bad("Tags[" + i + "]", "must be an object {Key, Value}");
      }
    }
    return new ProcessingJobSpec(name, image, entrypoint, arguments, inputs, outputs, type, maxRuntime, env);
  }

  private static String mountName(JsonNode x, String field, String path, Set<String> seen) {
    String n = Fields.string(x, field, path, true, 256);
    if (!MOUNT_NAME.matcher(n).matches()) {
      throw bad(path + "." + field, "'" + n + "' must be letters, digits, '.', '-' or '_'");
    }
    if (!seen.add(n)) {
      throw bad(path + "." + field, "'" + n + "' is used twice");
    }
    return n;
  }

  private static String localPath(String p, String path, Set<String> seen) {
    TrainingJobSpec.containerPath(p, path);
    String norm = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    if (!norm.startsWith(ROOT) || norm.length() == ROOT.length() || norm.contains("/./")) {
      throw bad(path, "'" + p + "' must be a folder under " + ROOT);
    }
    if (!seen.add(norm)) {
      throw bad(path, "'" + p + "' is used by another input or output");
    }
    return norm;
  }
}
