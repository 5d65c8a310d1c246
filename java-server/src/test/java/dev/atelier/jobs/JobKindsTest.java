package dev.atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.catalog.InstanceType;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobKindsTest {
  /** A kind only this test knows, as tuning jobs will be one: the generic code needs nothing else. */
  record TuningSpec(String name, String image, InstanceType instanceType) implements JobKind.Request {}

  static final class TuningKind implements JobKind<TuningSpec> {
    @Override
    public String name() {
      return "tuning";
    }

    @Override
    public String noun() {
      return "HyperParameterTuning";
    }

    @Override
    public String path() {
      return "tuning-jobs";
    }

    @Override
    public String imageField() {
      return "TrainingJobDefinition.AlgorithmSpecification.TrainingImage";
    }

    @Override
    public String startingMessage() {
      return "Starting the tuning job";
    }

    @Override
    public TuningSpec parse(JsonNode body, Parsing parsing) {
      return new TuningSpec(body.path("HyperParameterTuningJobName").asText(), "atelier/sklearn", null);
    }

    @Override
    public JobRun run(Job job, JobContext ctx, TuningSpec spec, ObjectNode request) {
      throw new UnsupportedOperationException("not run in this test");
    }
  }

  @Test
  void theStandardKindsAreTrainingAndProcessingWithSageMakersFieldNames() {
    JobKinds kinds = JobKinds.standard();
    assertThat(kinds.all()).extracting(JobKind::name).containsExactly("training", "processing");
    JobKind<?> training = kinds.of("training");
    assertThat(List.of(training.arnField(), training.statusField(), training.nameField(), training.startField(),
        training.endField(), training.summariesField(), training.path())).containsExactly("TrainingJobArn",
        "TrainingJobStatus", "TrainingJobName", "TrainingStartTime", "TrainingEndTime", "TrainingJobSummaries",
        "training-jobs");
    JobKind<?> processing = kinds.of("processing");
    assertThat(List.of(processing.arnField(), processing.summariesField(), processing.path()))
        .containsExactly("ProcessingJobArn", "ProcessingJobSummaries", "processing-jobs");
    assertThat(training.hasMetrics()).isTrue();
    assertThat(processing.hasMetrics()).isFalse();
  }

  @Test
  void anUnknownKindIsA400NamingTheKindsThereAre() {
    JobKinds kinds = new JobKinds(List.of(new TrainingKind(), new ProcessingKind(), new TuningKind()));
    assertThatThrownBy(() -> kinds.requested("automl", "kind"))
        .isInstanceOf(ApiException.class)
        .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400))
        .hasMessage("kind: 'automl' is not training or processing or tuning");
    assertThat(kinds.requested("tuning", "kind")).isInstanceOf(TuningKind.class);
    assertThatThrownBy(() -> kinds.of("automl")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void twoKindsOfOneNameAreRefused() {
    assertThatThrownBy(() -> new JobKinds(List.of(new TrainingKind(), new TrainingKind())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("training");
  }

  @Test
  void aNewKindsSummaryUsesItsOwnFieldNames() {
    ObjectNode d = Json.mapper().createObjectNode();
    d.put("HyperParameterTuningJobArn", "arn:aws:sagemaker:us-east-1:000000000000:hyper-parameter-tuning-job/t1");
    d.put("HyperParameterTuningStartTime", "2026-12-02T10:00:00Z");
    d.put("HyperParameterTuningEndTime", "2026-12-02T10:00:30Z");
    ObjectNode s = JobService.summary(new TuningKind(), "t1", "Completed", "Completed", "ml.m5.large",
        "atelier/sklearn", "ada", java.time.Instant.parse("2026-12-02T09:59:00Z").toEpochMilli(), d);
    assertThat(s.path("Kind").asText()).isEqualTo("tuning");
    assertThat(s.path("HyperParameterTuningJobName").asText()).isEqualTo("t1");
    assertThat(s.path("HyperParameterTuningJobStatus").asText()).isEqualTo("Completed");
    assertThat(s.path("Arn").asText()).endsWith("hyper-parameter-tuning-job/t1");
    assertThat(s.path("DurationSeconds").asDouble()).isEqualTo(30.0);
    assertThat(s.has("TrainingJobName")).isFalse();
  }
}
