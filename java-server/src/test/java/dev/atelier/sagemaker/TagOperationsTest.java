package dev.atelier.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import dev.atelier.storage.Database;
import dev.atelier.support.StoreBackend;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TagOperationsTest {
  private static final String ACCOUNT = "000000000000";
  private static final String ARN = "arn:aws:sagemaker:eu-west-1:000000000000:training-job/my-job";
  private final StoreBackend.Sqlite backend = new StoreBackend.Sqlite();
  private Database db;
  private Map<String, Operation> ops;
  private final Operation.Caller ann = new Operation.Caller("ann", "eu-west-1");
  private final Operation.Caller bob = new Operation.Caller("bob", "us-east-1");

  @BeforeEach
  void open() {
    db = backend.open();
    // ann has the training job my-job; nobody has anything else.
    TagOperations.Resources jobs = (owner, type, name) -> owner.equals("ann") && name.equals("my-job");
    ops = new TagOperations(new TagStore(db), ACCOUNT, Map.of("training-job", jobs), Clock.systemUTC()).operations();
  }

  @AfterEach
  void close() throws Exception {
    db.close();
    backend.close();
  }

  private JsonNode call(String op, Operation.Caller who, ObjectNode in) {
    return ops.get(op).apply(who, in);
  }

  private static ObjectNode tags(String arn, String... kv) {
    ObjectNode in = Json.mapper().createObjectNode().put("ResourceArn", arn);
    ArrayNode list = in.putArray("Tags");
    for (int i = 0; i < kv.length; i += 2) {
      list.addObject().put("Key", kv[i]).put("Value", kv[i + 1]);
    }
    return in;
  }

  private static ObjectNode arn(String arn) {
    return Json.mapper().createObjectNode().put("ResourceArn", arn);
  }

  @Test
  void tagsAreSetReplacedListedInAnyRegionAndDeleted() {
    call("AddTags", ann, tags(ARN, "team", "ml", "stage", "dev"));
    call("AddTags", ann, tags(ARN, "team", "research"));
    // The same job by the ARN of another region and in other case.
    JsonNode listed = call("ListTags", ann, arn(ARN.replace("eu-west-1", "us-east-1").replace("my-job", "My-Job")));
    assertThat(listed.get("Tags").toString())
        .isEqualTo("[{\"Key\":\"stage\",\"Value\":\"dev\"},{\"Key\":\"team\",\"Value\":\"research\"}]");
    assertThat(listed.has("NextToken")).isFalse();
    ObjectNode delete = arn(ARN);
    delete.putArray("TagKeys").add("stage").add("absent");
    call("DeleteTags", ann, delete);
    assertThat(call("ListTags", ann, arn(ARN)).get("Tags")).hasSize(1);
  }

  @Test
  void anotherOwnersResourceAnotherAccountOrTypeIsNotFound() {
    for (String a : Set.of(ARN, ARN.replace(ACCOUNT, "123456789012"), ARN.replace("training-job", "model"),
        ARN.replace("my-job", "other"))) {
      Operation.Caller who = a.equals(ARN) ? bob : ann;
      assertThatThrownBy(() -> call("ListTags", who, arn(a)))
          .isInstanceOfSatisfying(AwsException.class, e -> {
            assertThat(e.code()).isEqualTo("ValidationException");
            assertThat(e.getMessage()).startsWith("Could not find resource");
          });
    }
    assertThatThrownBy(() -> call("ListTags", ann, arn("arn:aws:s3:::bucket")))
        .hasMessageContaining("'resourceArn'");
  }

  @Test
  void badTagsAndTooManyAreRefusedAndChangeNothing() {
    call("AddTags", ann, tags(ARN, "keep", "1"));
    assertThatThrownBy(() -> call("AddTags", ann, tags(ARN, "aws:x", "1"))).hasMessageContaining("aws:");
    assertThatThrownBy(() -> call("AddTags", ann, tags(ARN, "a", "1", "a", "2"))).hasMessageContaining("Duplicate");
    assertThatThrownBy(() -> call("AddTags", ann, tags(ARN, "bad{key}", "1"))).hasMessageContaining("tags.1.member.key");
    assertThatThrownBy(() -> call("AddTags", ann, arn(ARN))).hasMessageContaining("'tags'");
    String[] many = new String[100];
    for (int i = 0; i < 50; i++) {
      many[2 * i] = "k" + i;
      many[2 * i + 1] = "v";
    }
    assertThatThrownBy(() -> call("AddTags", ann, tags(ARN, many)))
        .isInstanceOfSatisfying(AwsException.class, e -> assertThat(e.code()).isEqualTo("ResourceLimitExceeded"));
    assertThat(call("ListTags", ann, arn(ARN)).get("Tags")).hasSize(1);
    ObjectNode list = arn(ARN).put("MaxResults", 10);
    assertThatThrownBy(() -> call("ListTags", ann, list)).hasMessageContaining("'MaxResults'");
  }
}
