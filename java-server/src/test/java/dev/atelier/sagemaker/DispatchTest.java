package dev.atelier.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DispatchTest {
  @Test
  void targetNamesServiceSigningNameAndOperation() {
    assertThat(Target.parse("SageMaker.CreateTrainingJob"))
        .isEqualTo(new Target("SageMaker.CreateTrainingJob", "sagemaker", "CreateTrainingJob"));
    assertThat(Target.parse("Logs_20140328.GetLogEvents").signingNames()).containsExactly("logs");
    assertThat(Target.parse("DynamoDB_20120810.GetItem").service()).isNull();
    assertThat(Target.parse(null).raw()).isEmpty();
    assertThat(Target.parse("SageMaker.").service()).isNull();
  }

  @Test
  void pageTokensResumeWhereThePageEndedAndOnlyForTheSameQuery() {
    List<Integer> all = List.of(1, 2, 3, 4, 5);
    PageToken.Page<Integer> first = PageToken.page(all, null, 2, "q");
    assertThat(first.items()).containsExactly(1, 2);
    PageToken.Page<Integer> second = PageToken.page(all, first.nextToken(), 2, "q");
    assertThat(second.items()).containsExactly(3, 4);
    assertThat(second.nextToken()).isNotEqualTo(first.nextToken());
    PageToken.Page<Integer> last = PageToken.page(all, second.nextToken(), 2, "q");
    assertThat(last.items()).containsExactly(5);
    assertThat(last.nextToken()).isNull();
    assertThatThrownBy(() -> PageToken.page(all, first.nextToken(), 2, "other"))
        .isInstanceOfSatisfying(AwsException.class, e -> assertThat(e.getMessage()).startsWith("NextToken:"));
    assertThatThrownBy(() -> PageToken.decode("not a token!", "q")).isInstanceOf(AwsException.class);
  }

  @Test
  void inputRefusesUnknownMembersWrongTypesAndBadNamesNamingTheMember() {
    ObjectNode in = Json.mapper().createObjectNode().put("TrainingJobName", "bad_name");
    assertThatThrownBy(() -> Input.of("DescribeTrainingJob", in, Set.of("TrainingJobName")).name("TrainingJobName"))
        .hasMessageContaining("at 'TrainingJobName' failed to satisfy constraint: Member must satisfy regular"
            + " expression pattern");
    assertThatThrownBy(() -> Input.of("DescribeTrainingJob", in.put("Extra", 1), Set.of("TrainingJobName")))
        .hasMessageContaining("\"Extra\"");
    ObjectNode list = Json.mapper().createObjectNode().put("MaxResults", "ten");
    assertThatThrownBy(() -> Input.of("ListTrainingJobs", list, Set.of("MaxResults")).integer("MaxResults", 10, 1, 100))
        .hasMessageContaining("at 'MaxResults'");
    ObjectNode time = Json.mapper().createObjectNode().put("CreationTimeAfter", 1796186603.567);
    assertThat(Input.of("ListTrainingJobs", time, Set.of("CreationTimeAfter")).time("CreationTimeAfter"))
        .isEqualTo(java.time.Instant.parse("2026-12-02T04:43:23.567Z"));
  }

  @Test
  void errorsEncodeAsSageMakersCodes() {
    assertThat(AwsJsonRoutes.encode(ApiException.notFound("no training job named 'x'")).getMessage())
        .isEqualTo("Requested resource not found.");
    assertThat(AwsJsonRoutes.encode(ApiException.conflict("the job is Completed")).code()).isEqualTo("ValidationException");
    AwsException internal = AwsJsonRoutes.encode(new NullPointerException("secret detail"));
    assertThat(internal.status()).isEqualTo(500);
    assertThat(internal.getMessage()).doesNotContain("secret detail");
    assertThatThrownBy(() -> AwsJsonRoutes.body("{\"a\":".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(AwsException.class, e -> assertThat(e.code()).isEqualTo("ValidationException"));
    assertThatThrownBy(() -> AwsJsonRoutes.body("[1]".getBytes(StandardCharsets.UTF_8))).isInstanceOf(AwsException.class);
  }

  @Test
  void isoTimesBecomeEpochSecondsAndArnsTakeAwsForm() {
    ObjectNode d = Json.mapper().createObjectNode().put("CreationTime", "2026-12-02T04:42:27.123Z").put("Name", "x");
    d.putArray("SecondaryStatusTransitions").addObject().put("StartTime", "2026-12-02T04:42:28Z");
    ObjectNode out = Shapes.withEpochTimes(d);
    assertThat(out.get("CreationTime").asDouble()).isEqualTo(1796186547.123);
    assertThat(out.at("/SecondaryStatusTransitions/0/StartTime").asDouble()).isEqualTo(1796186548.0);
    assertThat(Shapes.arn("eu-west-1", "123456789012", "training-job", "My-Job"))
        .isEqualTo("arn:aws:sagemaker:eu-west-1:123456789012:training-job/my-job");
  }
}
