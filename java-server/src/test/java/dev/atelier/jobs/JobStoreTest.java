package dev.atelier.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.storage.Database;
import dev.atelier.support.StoreBackend;
import dev.atelier.support.StoreTest;
import java.util.List;

/** Jobs and their metric samples in the metadata database, on SQLite and PostgreSQL. */
class JobStoreTest {
  static JobStore.Row row(String kind, String name, long created, String status) {
    ObjectNode d = Json.mapper().createObjectNode().put("TrainingJobName", name).put("TrainingJobStatus", status);
    ObjectNode req = Json.mapper().createObjectNode().put("TrainingJobName", name);
    return new JobStore.Row(kind, name, status, "Starting", "ml.m5.large", "atelier/sklearn:latest", "ada",
        created, created, null, req, d);
  }

  static JobStore.Filter all() {
    return new JobStore.Filter(null, null, null, null, null, 100);
  }

  @StoreTest
  void aJobIsStoredUpdatedAndKeptAcrossAReopen(StoreBackend backend) {
    try (Database db = backend.open()) {
      JobStore store = new JobStore(db);
      store.insert(row("training", "iris-1", 1_000, "InProgress"));
      ObjectNode d = store.get("training", "iris-1").description();
      d.put("SecondaryStatus", "Training");
      store.update("training", "iris-1", "InProgress", "Training", "abc123", d, 2_000);
    }
    try (Database db = backend.open()) {
      JobStore.Row r = new JobStore(db).get("training", "iris-1");
      assertThat(r.secondary()).isEqualTo("Training");
      assertThat(r.containerId()).isEqualTo("abc123");
      assertThat(r.description().get("SecondaryStatus").asText()).isEqualTo("Training");
      assertThat(r.request().get("TrainingJobName").asText()).isEqualTo("iris-1");
      assertThat(new JobStore(db).unfinished()).extracting(JobStore.Row::name).containsExactly("iris-1");
    }
  }

  @StoreTest
  void aSecondJobOfTheSameKindAndNameIsAConflictAndTheFirstIsUntouched(StoreBackend backend) {
    try (Database db = backend.open()) {
      JobStore store = new JobStore(db);
      store.insert(row("training", "dup", 1_000, "Completed"));
      assertThatThrownBy(() -> store.insert(row("training", "dup", 2_000, "InProgress")))
          .isInstanceOf(ApiException.class)
          .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(409))
          .hasMessageContaining("a training job named 'dup' already exists");
      assertThat(store.get("training", "dup").status()).isEqualTo("Completed");
      store.insert(row("processing", "dup", 3_000, "InProgress"));
      assertThat(store.list(all())).hasSize(2);
    }
  }

  @StoreTest
  void listsFilterAndPutTheNewestFirst(StoreBackend backend) {
    try (Database db = backend.open()) {
      JobStore store = new JobStore(db);
      store.insert(row("training", "old-a", 1_000, "Completed"));
      store.insert(row("training", "new_b", 3_000, "Failed"));
      store.insert(row("processing", "mid-c", 2_000, "Completed"));
      assertThat(store.list(all())).extracting(JobStore.Row::name).containsExactly("new_b", "mid-c", "old-a");
      assertThat(store.list(new JobStore.Filter("training", null, null, null, null, 100)))
          .extracting(JobStore.Row::name).containsExactly("new_b", "old-a");
      assertThat(store.list(new JobStore.Filter(null, "Completed", null, null, null, 100)))
          .extracting(JobStore.Row::name).containsExactly("mid-c", "old-a");
      assertThat(store.list(new JobStore.Filter(null, null, "OLD", null, null, 100)))
          .extracting(JobStore.Row::name).containsExactly("old-a");
      // LIKE wildcards in the search are taken literally
      assertThat(store.list(new JobStore.Filter(null, null, "_", null, null, 100)))
          .extracting(JobStore.Row::name).containsExactly("new_b");
      assertThat(store.list(new JobStore.Filter(null, null, null, null, "bob", 100))).isEmpty();
      assertThat(store.list(new JobStore.Filter(null, null, null, null, null, 1))).hasSize(1);
    }
  }

  @StoreTest
  void metricSamplesComeBackPerMetricInTimeOrder(StoreBackend backend) {
    try (Database db = backend.open()) {
      JobStore store = new JobStore(db);
      store.addSamples("training", "m", List.of(new JobStore.Sample("loss", 2, 0.5),
          new JobStore.Sample("loss", 1, 0.9), new JobStore.Sample("acc", 1, 0.7)));
      var s = store.samples("training", "m");
      assertThat(s.keySet()).containsExactly("acc", "loss");
      assertThat(s.get("loss")).extracting(JobStore.Sample::value).containsExactly(0.9, 0.5);
    }
  }
}
