package dev.atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.storage.KeyPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CreateTrainingJob validation: every refusal names the field by its path. */
class TrainingJobSpecTest {
  static final InstanceCatalog TYPES = InstanceCatalog.load(null, null, 0);
  /** The embedded store's policy, the default one and the strictest. */
  static final KeyPolicy KEYS = KeyPolicy.FILESYSTEM;
  @TempDir Path root;

  static ObjectNode valid() throws Exception {
    return (ObjectNode) Json.mapper().readTree("""
        {"TrainingJobName": "iris-1",
         "AlgorithmSpecification": {"TrainingImage": "atelier/sklearn:latest", "TrainingInputMode": "File",
           "MetricDefinitions": [{"Name": "validation:accuracy", "Regex": "validation:accuracy=([0-9.]+)"}]},
         "HyperParameters": {"algorithm": "random_forest_classifier", "n_estimators": "10"},
         "InputDataConfig": [{"ChannelName": "train",
           "DataSource": {"S3DataSource": {"S3Uri": "s3://atelier/data/iris/", "S3DataType": "S3Prefix"}}}],
         "OutputDataConfig": {"S3OutputPath": "s3://atelier/jobs"},
         "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
         "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
         "Environment": {"MY_FLAG": "1"},
         "Tags": [{"Key": "team", "Value": "ml"}]}""");
  }

  static String refusal(ObjectNode body, Path root) {
    try {
      TrainingJobSpec.parse(body, TYPES, root, KEYS);
    } catch (ApiException e) {
      assertThat(e.status()).isEqualTo(400);
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + body);
  }

  @Test
  void aCompleteRequestIsAccepted() throws Exception {
    TrainingJobSpec s = TrainingJobSpec.parse(valid(), TYPES, root, KEYS);
    assertThat(s.name()).isEqualTo("iris-1");
    assertThat(s.channels()).singleElement().satisfies(c -> {
      assertThat(c.name()).isEqualTo("train");
      assertThat(c.uri().toString()).isEqualTo("s3://atelier/data/iris/");
    });
    assertThat(s.instanceType().vcpus()).isEqualTo(2);
    assertThat(s.metrics().get(0).regex().matcher("validation:accuracy=0.93;").find()).isTrue();
    assertThat(s.checkpointUri()).isNull();
    assertThat(s.maxRuntimeSeconds()).isEqualTo(3600);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      /TrainingJobName                                         | "../etc"               | TrainingJobName: '../etc' must be
      /TrainingJobName                                         | 5                      | TrainingJobName: must be a string, not a number
      /AlgorithmSpecification/TrainingImage                    | "Not An Image"         | AlgorithmSpecification.TrainingImage: 'Not An Image' is not an image reference
      /AlgorithmSpecification/TrainingInputMode                | "Pipe"                 | AlgorithmSpecification.TrainingInputMode: 'Pipe' is not supported
      /AlgorithmSpecification/MetricDefinitions/0/Regex        | "loss=[0-9.]+"         | AlgorithmSpecification.MetricDefinitions[0].Regex: needs a capturing group
      /AlgorithmSpecification/MetricDefinitions/0/Regex        | "loss=([0-9.]+"        | AlgorithmSpecification.MetricDefinitions[0].Regex: is not a valid regular expression
      /HyperParameters/n_estimators                            | 10                     | HyperParameters.n_estimators: must be a string, not a number
      /InputDataConfig/0/DataSource/S3DataSource/S3Uri         | "s3://atelier/../x"    | InputDataConfig[0].DataSource.S3DataSource.S3Uri: 's3://atelier/../x': the key must not contain '..' segments
      /InputDataConfig/0/DataSource/S3DataSource/S3Uri         | "http://x/y"           | InputDataConfig[0].DataSource.S3DataSource.S3Uri: 'http://x/y' is not an S3 URI
      /InputDataConfig/0/DataSource/S3DataSource/S3Uri         | "s3://Bad_Bucket/x"    | InputDataConfig[0].DataSource.S3DataSource.S3Uri: 's3://Bad_Bucket/x': 'Bad_Bucket' is not a valid bucket name
      /InputDataConfig/0/ChannelName                           | "a/b"                  | InputDataConfig[0].ChannelName: 'a/b' must be letters
      /OutputDataConfig/S3OutputPath                           | null                   | OutputDataConfig.S3OutputPath: is required
      /ResourceConfig/InstanceType                             | "ml.p9.huge"           | ResourceConfig.InstanceType: unknown instance type 'ml.p9.huge'; valid types: ml.t3.medium, ml.m5.large
      /ResourceConfig/InstanceType                             | "ml.g4dn.xlarge"       | ResourceConfig.InstanceType: instance type ml.g4dn.xlarge needs 1 GPU; this host has none
      /ResourceConfig/InstanceCount                            | 2                      | ResourceConfig.InstanceCount: 2 is out of range [1, 1]
      /StoppingCondition/MaxRuntimeInSeconds                   | 0                      | StoppingCondition.MaxRuntimeInSeconds: 0 is out of range
      /StoppingCondition/MaxRuntimeInSeconds                   | "1h"                   | StoppingCondition.MaxRuntimeInSeconds: must be a whole number, not a string
      /Environment/1BAD                                        | "x"                    | Environment.1BAD: '1BAD' is not a valid name
      /CheckpointConfig                                        | {"LocalPath": "/x"}    | CheckpointConfig.S3Uri: is required
      /CheckpointConfig                                        | {"S3Uri": "s3://atelier/c", "LocalPath": "/opt/../etc"} | CheckpointConfig.LocalPath: '/opt/../etc' must be an absolute path without '..'
      /TrainingJobNmae                                         | "typo"                 | TrainingJobNmae: unknown field
      /AlgorithmSpecification                                  | []                     | AlgorithmSpecification: must be an object, not an array
      """)
  void badFieldsAreNamedByTheirPath(String pointer, String json, String expected) throws Exception {
    ObjectNode body = valid();
    int cut = pointer.lastIndexOf('/');
    String parent = pointer.substring(0, cut);
    String field = pointer.substring(cut + 1);
    var at = parent.isEmpty() ? body : body.at(parent);
    var value = Json.mapper().readTree(json);
    if (at.isArray()) {
      ((com.fasterxml.jackson.databind.node.ArrayNode) at).set(Integer.parseInt(field), value);
    } else {
      ((ObjectNode) at).set(field, value);
    }
    assertThat(refusal(body, root)).startsWith(expected);
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', textBlock = """
      ..                 | '..' is not a channel name
      .                  | '.' is not a channel name
      a/b                | 'a/b' must be letters
      ''                 | '' must be letters
      train..x           |
      .hidden            |
      v1.2-final_B       |
      """)
  void channelNamesFollowSageMakersPatternAndAreNeverDotOrDotDot(String name, String refusal) throws Exception {
    ObjectNode body = valid();
    ((ObjectNode) body.at("/InputDataConfig/0")).put("ChannelName", name);
    if (refusal == null) {
      assertThat(TrainingJobSpec.parse(body, TYPES, root, KEYS).channels().get(0).name()).isEqualTo(name);
    } else {
      assertThat(refusal(body, root)).isEqualTo("InputDataConfig[0].ChannelName: " + refusal
          + (refusal.endsWith("letters") ? ", digits, '.', '-' or '_'" : ": it is a folder of /opt/ml/input/data"));
    }
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(delimiter = '|', textBlock = """
      /OutputDataConfig/S3OutputPath                   | s3://atelier/p/dot/./out    | OutputDataConfig.S3OutputPath: 's3://atelier/p/dot/./out': the key must not contain '.' segments
      /OutputDataConfig/S3OutputPath                   | s3://atelier/p/odd//out     | OutputDataConfig.S3OutputPath: 's3://atelier/p/odd//out': the key has an empty segment ('//')
      /OutputDataConfig/S3OutputPath                   | s3://atelier//out           | OutputDataConfig.S3OutputPath: 's3://atelier//out': the key starts with '/'
      /OutputDataConfig/S3OutputPath                   | s3://atelier/.mpus-out      | OutputDataConfig.S3OutputPath: 's3://atelier/.mpus-out': the segment '.mpus-out' starts with '.mpus-'
      /InputDataConfig/0/DataSource/S3DataSource/S3Uri | s3://atelier/data/./iris/   | InputDataConfig[0].DataSource.S3DataSource.S3Uri: 's3://atelier/data/./iris/': the key must not contain '.' segments
      /InputDataConfig/0/DataSource/S3DataSource/S3Uri | s3://atelier/data//iris/    | InputDataConfig[0].DataSource.S3DataSource.S3Uri: 's3://atelier/data//iris/': the key has an empty segment
      /InputDataConfig/0/DataSource/S3DataSource/S3Uri | s3://atelier//etc/passwd    | InputDataConfig[0].DataSource.S3DataSource.S3Uri: 's3://atelier//etc/passwd': the key starts with '/'
      /HyperParameters/sagemaker_submit_directory      | s3://atelier/src/./s.tar.gz | HyperParameters.sagemaker_submit_directory: 's3://atelier/src/./s.tar.gz': the key must not contain '.' segments
      /HyperParameters/sagemaker_submit_directory      | "s3://atelier/src//s.tar.gz" | HyperParameters.sagemaker_submit_directory: 's3://atelier/src//s.tar.gz': the key has an empty segment
      /HyperParameters/sagemaker_submit_directory      | s3://atelier/src/           | HyperParameters.sagemaker_submit_directory: 's3://atelier/src/': the key must not be empty or end with '/'
      /HyperParameters/sagemaker_submit_directory      | file:///tmp/src             | HyperParameters.sagemaker_submit_directory: 'file:///tmp/src' must be the s3:// URI of the source archive
      """)
  void everyS3UriIsCheckedUpFrontByTheStoresKeyPolicy(String pointer, String uri, String expected) throws Exception {
    ObjectNode body = valid();
    int cut = pointer.lastIndexOf('/');
    ((ObjectNode) body.at(pointer.substring(0, cut))).put(pointer.substring(cut + 1), uri);
    assertThat(refusal(body, root)).startsWith(expected);
  }

  @Test
  void checkpointUrisAndWhatTheJobWritesBelowTheOutputPathAreChecked() throws Exception {
    ObjectNode body = valid();
    body.putObject("CheckpointConfig").put("S3Uri", "s3://atelier/ckpt//run");
    assertThat(refusal(body, root)).startsWith(
        "CheckpointConfig.S3Uri: 's3://atelier/ckpt//run': the key has an empty segment ('//')");

    body = valid();
    // A prefix S3 accepts, but with the job's own keys below it over 1024 bytes.
    ((ObjectNode) body.at("/OutputDataConfig")).put("S3OutputPath", "s3://atelier/" + "o/".repeat(500));
    assertThat(refusal(body, root)).startsWith("OutputDataConfig.S3OutputPath: 's3://atelier/o/o/")
        .contains("cannot hold the job's iris-1/output/model.tar.gz").contains("S3 allows at most 1024");

    body = valid();
    ((ObjectNode) body.at("/OutputDataConfig")).put("S3OutputPath", "s3://atelier/p/odd//out");
    // An external S3 holds a//b as itself: the same request is valid there.
    assertThat(TrainingJobSpec.parse(body, TYPES, root, KeyPolicy.ANY_S3).outputPath().key()).isEqualTo("p/odd//out");
  }

  @Test
  void hugeValuesAreRefusedWithTheirLimit() throws Exception {
    ObjectNode body = valid();
    body.withObject("HyperParameters").put("big", "x".repeat(2501));
    assertThat(refusal(body, root)).isEqualTo(
        "HyperParameters.big: is 2501 characters long; at most 2500 are allowed");
    body = valid();
    for (int i = 0; i < 101; i++) {
      body.withObject("HyperParameters").put("k" + i, "v");
    }
    assertThat(refusal(body, root)).startsWith("HyperParameters: has 103 entries; at most 100");
    body = valid();
    body.put("TrainingJobName", "a".repeat(64));
    assertThat(refusal(body, root)).startsWith("TrainingJobName: is 64 characters long");
  }

  @Test
  void twoChannelsMayNotShareAName() throws Exception {
    ObjectNode body = valid();
    body.withArray("InputDataConfig").add(body.withArray("InputDataConfig").get(0).deepCopy());
    assertThat(refusal(body, root)).isEqualTo("InputDataConfig[1].ChannelName: 'train' is used by two channels");
  }

  @Test
  void scriptModeSourceMustStayInsideTheNotebookRoot() throws Exception {
    Files.createDirectories(root.resolve("project"));
    Files.writeString(root.resolve("project/train.py"), "print('hi')");
    ObjectNode body = valid();
    body.putObject("ScriptMode").put("EntryPoint", "train.py").put("SourceDir", "project");
    TrainingJobSpec s = TrainingJobSpec.parse(body, TYPES, root, KEYS);
    assertThat(s.scriptMode().sourceDir()).isEqualTo(root.resolve("project"));

    body.putObject("ScriptMode").put("EntryPoint", "train.py").put("SourceDir", "../outside");
    assertThat(refusal(body, root)).startsWith("ScriptMode.SourceDir: '../outside' must be a relative path without '..'");
    body.putObject("ScriptMode").put("EntryPoint", "../train.py").put("SourceDir", "project");
    assertThat(refusal(body, root)).startsWith("ScriptMode.EntryPoint: '../train.py' must be a relative path");
    body.putObject("ScriptMode").put("EntryPoint", "missing.py").put("SourceDir", "project");
    assertThat(refusal(body, root)).isEqualTo("ScriptMode.EntryPoint: 'missing.py' is not a file in 'project'"
        + " (ScriptMode.SourceDir): give the script's path relative to that folder");
    body.putObject("ScriptMode").put("EntryPoint", "train.py").put("SourceDir", "nowhere");
    assertThat(refusal(body, root)).startsWith("ScriptMode.SourceDir: 'nowhere' is not a folder under the notebook root");
  }

  @Test
  void scriptModeSourceDirDotIsTheNotebookRoot() throws Exception {
    Files.writeString(root.resolve("train.py"), "print('hi')");
    ObjectNode body = valid();
    body.putObject("ScriptMode").put("EntryPoint", "train.py").put("SourceDir", ".");
    assertThat(TrainingJobSpec.parse(body, TYPES, root, KEYS).scriptMode().sourceDir())
        .isEqualTo(root.toAbsolutePath().normalize());
    body.putObject("ScriptMode").put("EntryPoint", "train.py").put("SourceDir", "");
    assertThat(TrainingJobSpec.parse(body, TYPES, root, KEYS).scriptMode().sourceDir())
        .isEqualTo(root.toAbsolutePath().normalize());
    body.putObject("ScriptMode").put("EntryPoint", "missing.py").put("SourceDir", ".");
    assertThat(refusal(body, root)).isEqualTo("ScriptMode.EntryPoint: 'missing.py' is not a file in the notebook"
        + " root (ScriptMode.SourceDir): give the script's path relative to that folder");
  }

  @Test
  void scriptModeWithoutSourceDirSendsTheEntryPointAloneFromTheNotebookRoot() throws Exception {
    Files.createDirectories(root.resolve("src"));
    Files.writeString(root.resolve("src/train.py"), "print('alone')");
    Files.writeString(root.resolve("helper.py"), "x = 1");
    ObjectNode body = valid();
    body.putObject("ScriptMode").put("EntryPoint", "src/train.py");
    TrainingJobSpec s = TrainingJobSpec.parse(body, TYPES, root, KEYS);
    assertThat(s.scriptMode().sourceDir()).isNull();
    assertThat(s.scriptMode().files()).containsExactly(java.util.Map.entry("src/train.py", "print('alone')"));

    body.putObject("ScriptMode").put("EntryPoint", "missing.py");
    assertThat(refusal(body, root)).isEqualTo("ScriptMode.EntryPoint: 'missing.py' is not a file in the notebook"
        + " root; give ScriptMode.SourceDir (the folder that holds it, relative to the root) or ScriptMode.Files");
    body.putObject("ScriptMode").put("EntryPoint", "src");
    assertThat(refusal(body, root)).startsWith("ScriptMode.EntryPoint: 'src' is not a file in the notebook root");
  }

  @Test
  void inlineScriptFilesMustNameTheEntryPoint() throws Exception {
    ObjectNode body = valid();
    body.putObject("ScriptMode").put("EntryPoint", "train.py").putObject("Files").put("other.py", "x = 1");
    assertThat(refusal(body, root)).isEqualTo("ScriptMode.EntryPoint: 'train.py' is not one of ScriptMode.Files");
    body.putObject("ScriptMode").put("EntryPoint", "train.py").putObject("Files").put("train.py", "print(1)");
    assertThat(TrainingJobSpec.parse(body, TYPES, root, KEYS).scriptMode().files()).containsKey("train.py");
  }

  @Test
  void aProcessingJobsLocalPathsMustLieUnderOptMlProcessing() throws Exception {
    ObjectNode body = (ObjectNode) Json.mapper().readTree("""
        {"ProcessingJobName": "prep-1",
         "AppSpecification": {"ImageUri": "atelier/datascience:latest", "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/prep.py"]},
         "ProcessingInputs": [{"InputName": "raw", "S3Input": {"S3Uri": "s3://atelier/raw/", "LocalPath": "/opt/ml/processing/input/raw", "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
         "ProcessingOutputConfig": {"Outputs": [{"OutputName": "clean", "S3Output": {"S3Uri": "s3://atelier/clean/", "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}}]},
         "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.t3.medium", "VolumeSizeInGB": 5}}}""");
    ProcessingJobSpec s = ProcessingJobSpec.parse(body, TYPES, KEYS);
    assertThat(s.inputs()).singleElement().satisfies(m -> assertThat(m.localPath()).isEqualTo("/opt/ml/processing/input/raw"));
    assertThat(s.maxRuntimeSeconds()).isEqualTo(86_400);
    ((ObjectNode) body.at("/ProcessingInputs/0/S3Input")).put("LocalPath", "/etc");
    assertThatThrownBy(() -> ProcessingJobSpec.parse(body, TYPES, KEYS)).hasMessage(
        "ProcessingInputs[0].S3Input.LocalPath: '/etc' must be a folder under /opt/ml/processing/");
    ((ObjectNode) body.at("/ProcessingInputs/0/S3Input")).put("LocalPath", "/opt/ml/processing/output");
    assertThatThrownBy(() -> ProcessingJobSpec.parse(body, TYPES, KEYS)).hasMessage(
        "ProcessingOutputConfig.Outputs[0].S3Output.LocalPath: '/opt/ml/processing/output' is used by another input or output");
  }
}
