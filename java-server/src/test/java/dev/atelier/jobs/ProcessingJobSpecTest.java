package dev.atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.storage.KeyPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CreateProcessingJob validation of S3 URIs: refused up front, naming the field, by the store's key policy. */
class ProcessingJobSpecTest {
  static ObjectNode valid() throws Exception {
    return (ObjectNode) Json.mapper().readTree("""
        {"ProcessingJobName": "prep-1",
         "AppSpecification": {"ImageUri": "atelier/datascience:latest"},
         "ProcessingInputs": [{"InputName": "raw", "S3Input": {"S3Uri": "s3://atelier/raw/", "LocalPath": "/opt/ml/processing/input/raw"}}],
         "ProcessingOutputConfig": {"Outputs": [{"OutputName": "clean", "S3Output": {"S3Uri": "s3://atelier/clean/", "LocalPath": "/opt/ml/processing/output"}}]},
         "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.t3.medium", "VolumeSizeInGB": 5}}}""");
  }

  @Test
  void aValidRequestIsAccepted() throws Exception {
    ProcessingJobSpec s = ProcessingJobSpec.parse(valid(), TrainingJobSpecTest.TYPES, KeyPolicy.FILESYSTEM);
    assertThat(s.inputs().get(0).uri().toString()).isEqualTo("s3://atelier/raw/");
    assertThat(s.outputs().get(0).uri().toString()).isEqualTo("s3://atelier/clean/");
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(delimiter = '|', textBlock = """
      /ProcessingInputs/0/S3Input/S3Uri                     | s3://atelier/raw/./in/  | ProcessingInputs[0].S3Input.S3Uri: 's3://atelier/raw/./in/': the key must not contain '.' segments
      /ProcessingInputs/0/S3Input/S3Uri                     | s3://atelier/raw//in/   | ProcessingInputs[0].S3Input.S3Uri: 's3://atelier/raw//in/': the key has an empty segment ('//')
      /ProcessingInputs/0/S3Input/S3Uri                     | s3://atelier//raw       | ProcessingInputs[0].S3Input.S3Uri: 's3://atelier//raw': the key starts with '/'
      /ProcessingOutputConfig/Outputs/0/S3Output/S3Uri      | s3://atelier/out/../x   | ProcessingOutputConfig.Outputs[0].S3Output.S3Uri: 's3://atelier/out/../x': the key must not contain '..' segments
      /ProcessingOutputConfig/Outputs/0/S3Output/S3Uri      | s3://atelier/out//x     | ProcessingOutputConfig.Outputs[0].S3Output.S3Uri: 's3://atelier/out//x': the key has an empty segment ('//')
      /ProcessingOutputConfig/Outputs/0/S3Output/S3Uri      | s3://atelier/.s3proxy-x | ProcessingOutputConfig.Outputs[0].S3Output.S3Uri: 's3://atelier/.s3proxy-x': the segment '.s3proxy-x' starts with '.s3proxy-'
      """)
  void everyS3UriIsCheckedUpFrontNamingItsField(String pointer, String uri, String expected) throws Exception {
    ObjectNode body = valid();
    int cut = pointer.lastIndexOf('/');
    ((ObjectNode) body.at(pointer.substring(0, cut))).put(pointer.substring(cut + 1), uri);
    assertThatThrownBy(() -> ProcessingJobSpec.parse(body, TrainingJobSpecTest.TYPES, KeyPolicy.FILESYSTEM))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400))
        .message().startsWith(expected);
  }
}
