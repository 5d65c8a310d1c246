package dev.atelier.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.endpoints.scaling.ScalingPolicy;
import dev.atelier.http.Json;
import dev.atelier.storage.Database;
import dev.atelier.support.StoreBackend;
import dev.atelier.support.StoreTest;

/** Variants' scaling policies in the metadata database, on SQLite and PostgreSQL. */
class ScalingStoreTest {
  private static ObjectNode policy(int max) {
    ObjectNode n = Json.mapper().createObjectNode().put("MinCapacity", 1).put("MaxCapacity", max);
    n.putObject("TargetTrackingScalingPolicyConfiguration").put("TargetValue", 70);
    return ScalingPolicy.parse(n).toJson();
  }

  @StoreTest
  void aPolicyIsReplacedKeptAcrossAReopenAndRemovedWithItsEndpoint(StoreBackend backend) {
    try (Database db = backend.open()) {
      ScalingStore store = new ScalingStore(db);
      store.put(new ScalingStore.Policy("iris", "blue", "ada", 1_000, policy(2)));
      store.put(new ScalingStore.Policy("iris", "blue", "bob", 2_000, policy(4)));
      store.put(new ScalingStore.Policy("iris", "green", "ada", 3_000, policy(3)));
      store.put(new ScalingStore.Policy("wine", "only", "ada", 4_000, policy(5)));
    }
    try (Database db = backend.open()) {
      ScalingStore store = new ScalingStore(db);
      assertThat(store.all()).extracting(p -> p.endpoint() + "/" + p.variant())
          .containsExactly("iris/blue", "iris/green", "wine/only");
      ScalingStore.Policy blue = store.all().get(0);
      assertThat(blue.createdBy()).isEqualTo("bob");
      assertThat(ScalingPolicy.parse(blue.policy()).maxCapacity()).isEqualTo(4);
      assertThat(store.delete("iris", "green")).isTrue();
      assertThat(store.delete("iris", "green")).isFalse();
      store.deleteEndpoint("iris");
      assertThat(store.all()).extracting(ScalingStore.Policy::endpoint).containsExactly("wine");
    }
  }
}
