package dev.atelier.jobs;

import static dev.atelier.jobs.Fields.bad;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.http.ApiException;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.catalog.InstanceType;
import dev.atelier.storage.KeyPolicy;
import dev.atelier.storage.ObjectStore.S3Uri;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A validated CreateTrainingJob request. {@link #parse} checks the whole request before anything
 * is stored, with SageMaker's limits, and names the field at fault.
 */
public record TrainingJobSpec(
    String name,
    String image,
    List<MetricDefinition> metrics,
    List<String> entrypoint,
    List<String> arguments,
    Map<String, String> hyperParameters,
    List<Channel> channels,
    S3Uri outputPath,
    InstanceType instanceType,
    long maxRuntimeSeconds,
    Map<String, String> environment,
    S3Uri checkpointUri,
    String checkpointLocalPath,
    ScriptMode scriptMode) implements JobKind.Request {

  /** A metric parsed from the log: the regex's first group is the value. */
  public record MetricDefinition(String name, Pattern regex) {}

  /** An input channel staged to {@code /opt/ml/input/data/<name>}. */
  public record Channel(String name, S3Uri uri, String contentType) {}

  /**
   * Script mode: the entry point and either a folder under the notebook root or inline files.
   *
   * @param sourceDir absolute, inside the notebook root (null when {@code files} are given)
   */
  public record ScriptMode(String entryPoint, Path sourceDir, Map<String, String> files) {}

  static final Set<String> TOP = Set.of("TrainingJobName", "AlgorithmSpecification", "HyperParameters",
      "InputDataConfig", "OutputDataConfig", "ResourceConfig", "StoppingCondition", "Environment",
      "CheckpointConfig", "Tags", "ScriptMode",
      // SageMaker fields accepted and kept, with no effect on a single machine.
      "RoleArn", "EnableNetworkIsolation", "EnableInterContainerTrafficEncryption", "EnableManagedSpotTraining",
      "VpcConfig", "DebugHookConfig", "DebugRuleConfigurations", "ProfilerConfig", "ProfilerRuleConfigurations",
      "ExperimentConfig", "TensorBoardOutputConfig", "RetryStrategy", "RemoteDebugConfig", "InfraCheckConfig",
      "SessionChainingConfig");
  private static final Pattern CHANNEL = Pattern.compile("[A-Za-z0-9.\\-_]{1,64}");
  private static final Pattern ENV_KEY = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]{0,511}");
  private static final Pattern HP_KEY = Pattern.compile(".{1,256}");
  private static final long MAX_FILES_BYTES = 10L << 20;

  /**
   * @param rootDir the notebook root; script mode's {@code SourceDir} must lie inside it
   * @param keys the object store's key policy, which every S3 URI of the request must pass
   * @throws ApiException 400 naming the field at fault
   */
  public static TrainingJobSpec parse(JsonNode body, InstanceCatalog types, Path rootDir, KeyPolicy keys) {
    Fields.onlyKnown(body, "", TOP);
    String name = Fields.name(body, "TrainingJobName", "");
    ExperimentConfig.parse(body);

    JsonNode algo = Fields.object(body, "AlgorithmSpecification", "", true);
    String ap = "AlgorithmSpecification";
    Fields.onlyKnown(algo, ap, Set.of("TrainingImage", "TrainingInputMode", "MetricDefinitions",
        "ContainerEntrypoint", "ContainerArguments", "EnableSageMakerMetricsTimeSeries", "AlgorithmName",
        "TrainingImageConfig"));
    if (algo.has("AlgorithmName")) {
      throw bad(ap + ".AlgorithmName", "marketplace algorithms are not available; give TrainingImage");
    }
    String image = image(Fields.string(algo, "TrainingImage", ap, true, 255), ap + ".TrainingImage");
    Fields.oneOf(algo, "TrainingInputMode", ap, "File", "File");
    List<MetricDefinition> metrics = metrics(algo, ap);
    List<String> entrypoint = Fields.strings(algo, "ContainerEntrypoint", ap, 100, 256);
    List<String> arguments = Fields.strings(algo, "ContainerArguments", ap, 100, 256);

    Map<String, String> hps = Fields.stringMap(body, "HyperParameters", "", 100, 256, 2500, HP_KEY);
    List<Channel> channels = channels(body, keys);

    JsonNode out = Fields.object(body, "OutputDataConfig", "", true);
    Fields.onlyKnown(out, "OutputDataConfig", Set.of("S3OutputPath", "KmsKeyId", "CompressionType"));
    S3Uri outputPath = Fields.s3(out, "S3OutputPath", "OutputDataConfig", true, keys, KeyPolicy.Use.PREFIX);
    // What the job writes there, checked now rather than after it trained.
    for (String file : List.of("output/model.tar.gz", "output/output.tar.gz", "source/" + TrainingRun.SOURCE_ARCHIVE)) {
      Fields.below(outputPath, name + "/" + file, "OutputDataConfig.S3OutputPath", keys);
    }
    submitDirectory(hps, keys);
    Fields.oneOf(out, "CompressionType", "OutputDataConfig", "GZIP", "GZIP");

    JsonNode res = Fields.object(body, "ResourceConfig", "", true);
    Fields.onlyKnown(res, "ResourceConfig", Set.of("InstanceType", "InstanceCount", "VolumeSizeInGB",
        "VolumeKmsKeyId", "KeepAlivePeriodInSeconds", "InstanceGroups"));
    String typeName = Fields.string(res, "InstanceType", "ResourceConfig", true, 64);
    InstanceType type;
    try {
      type = types.require(typeName);
    } catch (ApiException e) {
      throw bad("ResourceConfig.InstanceType", e.getMessage());
    }
    Fields.integer(res, "InstanceCount", "ResourceConfig", false, 1, 1);
    Fields.integer(res, "VolumeSizeInGB", "ResourceConfig", false, 1, 16384);

    JsonNode stop = Fields.object(body, "StoppingCondition", "", true);
    Fields.onlyKnown(stop, "StoppingCondition", Set.of("MaxRuntimeInSeconds", "MaxWaitTimeInSeconds",
        "MaxPendingTimeInSeconds"));
    long maxRuntime = Fields.integer(stop, "MaxRuntimeInSeconds", "StoppingCondition", true, 1, 2_419_200);

    Map<String, String> env = Fields.stringMap(body, "Environment", "", 100, 512, 512, ENV_KEY);

    S3Uri checkpoint = null;
    String checkpointPath = "/opt/ml/checkpoints";
    JsonNode cp = Fields.object(body, "CheckpointConfig", "", false);
    if (cp != null) {
      Fields.onlyKnown(cp, "CheckpointConfig", Set.of("S3Uri", "LocalPath"));
      checkpoint = Fields.s3(cp, "S3Uri", "CheckpointConfig", true, keys, KeyPolicy.Use.PREFIX);
      String lp = Fields.string(cp, "LocalPath", "CheckpointConfig", false, 1024);
      if (lp != null) {
        checkpointPath = containerPath(lp, "CheckpointConfig.LocalPath");
      }
    }
    tags(body);
    ScriptMode script = scriptMode(body, rootDir);
    return new TrainingJobSpec(name, image, metrics, entrypoint, arguments, hps, channels, outputPath, type,
        maxRuntime, env, checkpoint, checkpointPath, script);
  }

  static String image(String image, String path) {
    if (!image.matches("[a-z0-9][a-zA-Z0-9._/:@-]*")) {
      throw bad(path, "'" + image + "' is not an image reference such as atelier/sklearn:latest");
    }
    return image;
  }

  /** An absolute path inside the container with no '..' segment. */
  static String containerPath(String p, String path) {
    if (!p.startsWith("/") || p.contains("/../") || p.endsWith("/..") || p.contains("\\")) {
      throw bad(path, "'" + p + "' must be an absolute path without '..'");
    }
    return p;
  }

  private static List<MetricDefinition> metrics(JsonNode algo, String ap) {
    JsonNode n = Fields.array(algo, "MetricDefinitions", ap, 40);
    List<MetricDefinition> out = new ArrayList<>();
    if (n == null) {
      return out;
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < n.size(); i++) {
      String p = ap + ".MetricDefinitions[" + i + "]";
      JsonNode m = n.get(i);
      if (!m.isObject()) {
        throw bad(p, "must be an object {Name, Regex}");
      }
      Fields.onlyKnown(m, p, Set.of("Name", "Regex"));
      String mn = Fields.string(m, "Name", p, true, 255);
      if (!names.add(mn)) {
        throw bad(p + ".Name", "'" + mn + "' is defined twice");
      }
      String rx = Fields.string(m, "Regex", p, true, 500);
      try {
        Pattern pattern = Pattern.compile(rx);
        if (pattern.matcher("").groupCount() < 1) {
          throw bad(p + ".Regex", "needs a capturing group around the value, such as loss=([0-9.]+)");
        }
        out.add(new MetricDefinition(mn, pattern));
      } catch (PatternSyntaxException e) {
        throw bad(p + ".Regex", "is not a valid regular expression: " + e.getDescription());
      }
    }
    return out;
  }

  /**
   * The sagemaker SDK's {@code sagemaker_submit_directory} (JSON-quoted or not): the source archive
   * the job downloads, so an {@code s3://} URI to one object.
   */
  private static void submitDirectory(Map<String, String> hps, KeyPolicy keys) {
    String submit = hps.get("sagemaker_submit_directory");
    if (submit != null) {
      String path = "HyperParameters.sagemaker_submit_directory";
      String uri = TrainingRun.unquote(submit);
      if (!uri.startsWith("s3://")) {
        throw bad(path, "'" + uri + "' must be the s3:// URI of the source archive (sourcedir.tar.gz); use"
            + " ScriptMode to send a folder or files");
      }
      Fields.s3(uri, path, keys, KeyPolicy.Use.OBJECT);
    }
  }

  private static List<Channel> channels(JsonNode body, KeyPolicy keys) {
    JsonNode n = Fields.array(body, "InputDataConfig", "", 20);
    List<Channel> out = new ArrayList<>();
    if (n == null) {
      return out;
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < n.size(); i++) {
      String p = "InputDataConfig[" + i + "]";
      JsonNode c = n.get(i);
      if (!c.isObject()) {
        throw bad(p, "must be an object {ChannelName, DataSource}");
      }
      Fields.onlyKnown(c, p, Set.of("ChannelName", "DataSource", "ContentType", "CompressionType",
          "RecordWrapperType", "InputMode", "ShuffleConfig"));
      String cn = Fields.string(c, "ChannelName", p, true, 64);
      if (!CHANNEL.matcher(cn).matches()) {
        throw bad(p + ".ChannelName", "'" + cn + "' must be letters, digits, '.', '-' or '_'");
      }
      if (cn.equals(".") || cn.equals("..")) {
        // The channel is a folder under /opt/ml/input/data: '..' would be /opt/ml/input itself.
        throw bad(p + ".ChannelName", "'" + cn + "' is not a channel name: it is a folder of /opt/ml/input/data");
      }
      if (!names.add(cn)) {
        throw bad(p + ".ChannelName", "'" + cn + "' is used by two channels");
      }
      JsonNode ds = Fields.object(c, "DataSource", p, true);
      Fields.onlyKnown(ds, p + ".DataSource", Set.of("S3DataSource"));
      String sp = p + ".DataSource.S3DataSource";
      JsonNode s3 = Fields.object(ds, "S3DataSource", p + ".DataSource", true);
      Fields.onlyKnown(s3, sp, Set.of("S3Uri", "S3DataType", "S3DataDistributionType", "AttributeNames"));
      S3Uri uri = Fields.s3(s3, "S3Uri", sp, true, keys, KeyPolicy.Use.PREFIX);
      Fields.oneOf(s3, "S3DataType", sp, "S3Prefix", "S3Prefix");
      Fields.oneOf(s3, "S3DataDistributionType", sp, "FullyReplicated", "FullyReplicated");
      Fields.oneOf(c, "CompressionType", p, "None", "None");
      Fields.oneOf(c, "InputMode", p, "File", "File");
      Fields.oneOf(c, "RecordWrapperType", p, "None", "None");
      out.add(new Channel(cn, uri, Fields.string(c, "ContentType", p, false, 256)));
    }
    return out;
  }

  private static void tags(JsonNode body) {
    JsonNode n = Fields.array(body, "Tags", "", 50);
    for (int i = 0; n != null && i < n.size(); i++) {
      String p = "Tags[" + i + "]";
      if (!n.get(i).isObject()) {
        throw bad(p, "must be an object {Key, Value}");
      }
      Fields.onlyKnown(n.get(i), p, Set.of("Key", "Value"));
      Fields.string(n.get(i), "Key", p, true, 128);
      Fields.string(n.get(i), "Value", p, false, 256);
    }
  }

  private static ScriptMode scriptMode(JsonNode body, Path rootDir) {
    JsonNode sm = Fields.object(body, "ScriptMode", "", false);
    if (sm == null) {
      return null;
    }
    Fields.onlyKnown(sm, "ScriptMode", Set.of("EntryPoint", "SourceDir", "Files"));
    String entry = relative(Fields.string(sm, "EntryPoint", "ScriptMode", true, 256), "ScriptMode.EntryPoint");
    String dir = Fields.string(sm, "SourceDir", "ScriptMode", false, 1024);
    Map<String, String> files = Fields.stringMap(sm, "Files", "ScriptMode", 100, 256, Integer.MAX_VALUE, null);
    if (dir == null && files.isEmpty()) {
      return entryPointAlone(entry, rootDir);
    }
    if (dir != null && !files.isEmpty()) {
      throw bad("ScriptMode", "give SourceDir or Files, not both");
    }
    if (dir != null) {
      Path root = rootDir.toAbsolutePath().normalize();
      Path d = root.resolve(relative(dir.isEmpty() ? "." : dir, "ScriptMode.SourceDir")).normalize();
      if (!d.startsWith(root)) {
        throw bad("ScriptMode.SourceDir", "'" + dir + "' is outside the notebook root");
      }
      if (!Files.isDirectory(d)) {
        throw bad("ScriptMode.SourceDir", "'" + dir + "' is not a folder under the notebook root " + root);
      }
      if (!Files.isRegularFile(d.resolve(entry))) {
        String folder = d.equals(root) ? "the notebook root" : "'" + dir + "'";
        throw bad("ScriptMode.EntryPoint", "'" + entry + "' is not a file in " + folder
            + " (ScriptMode.SourceDir): give the script's path relative to that folder");
      }
      return new ScriptMode(entry, d, Map.of());
    }
    long total = 0;
    Map<String, String> checked = new LinkedHashMap<>();
    for (var e : files.entrySet()) {
      checked.put(relative(e.getKey(), "ScriptMode.Files." + e.getKey()), e.getValue());
      total += e.getValue().length();
    }
    if (total > MAX_FILES_BYTES) {
      throw bad("ScriptMode.Files", "holds " + total + " characters; at most " + MAX_FILES_BYTES + " are allowed");
    }
    if (!checked.containsKey(entry)) {
      throw bad("ScriptMode.EntryPoint", "'" + entry + "' is not one of ScriptMode.Files");
    }
    return new ScriptMode(entry, null, checked);
  }

  /**
   * Neither SourceDir nor Files: the entry point alone, read from the notebook root, as the
   * sagemaker SDK sends it without {@code source_dir}.
   */
  private static ScriptMode entryPointAlone(String entry, Path rootDir) {
    Path root = rootDir.toAbsolutePath().normalize();
    Path file = root.resolve(entry).normalize();
    if (!file.startsWith(root) || !Files.isRegularFile(file)) {
      throw bad("ScriptMode.EntryPoint", "'" + entry + "' is not a file in the notebook root; give"
          + " ScriptMode.SourceDir (the folder that holds it, relative to the root) or ScriptMode.Files");
    }
    try {
      if (Files.size(file) > MAX_FILES_BYTES) {
        throw bad("ScriptMode.EntryPoint", "'" + entry + "' is larger than " + MAX_FILES_BYTES
            + " bytes; give ScriptMode.SourceDir to pack its folder");
      }
      return new ScriptMode(entry, null, Map.of(entry, Files.readString(file)));
    } catch (IOException e) {
      throw bad("ScriptMode.EntryPoint", "cannot read '" + entry + "' as UTF-8 text: " + e.getClass().getSimpleName());
    }
  }

  /** A relative path without '..', '.', empty or absolute segments. */
  static String relative(String p, String path) {
    if (p.equals(".")) {
      return p;
    }
    if (p.startsWith("/") || p.contains("\\")) {
      throw bad(path, "'" + p + "' must be a relative path");
    }
    for (String seg : p.split("/", -1)) {
      if (seg.isEmpty() || seg.equals("..") || seg.equals(".")) {
        throw bad(path, "'" + p + "' must be a relative path without '..', '.' or empty segments");
      }
    }
    return p;
  }
}
