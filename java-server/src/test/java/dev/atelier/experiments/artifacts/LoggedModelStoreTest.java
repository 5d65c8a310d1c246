package dev.atelier.experiments.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.experiments.artifacts.LoggedModelStore.LoggedModel;
import dev.atelier.http.ApiException;
import dev.atelier.storage.Database;
import dev.atelier.support.StoreBackend;
import dev.atelier.support.StoreTest;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;

/** Logged models in the metadata database, on SQLite and PostgreSQL. */
class LoggedModelStoreTest {
  private static void experiment(Database db, long id) {
    db.tx(c -> {
      try (PreparedStatement q = c.prepareStatement("INSERT INTO experiments (experiment_id, name, artifact_location,"
          + " lifecycle_stage, owner, creation_time, last_update_time) VALUES (?, ?, ?, 'active', 'ada', 1, 1)")) {
        q.setLong(1, id);
        q.setString(2, "e" + id);
        q.setString(3, "mlflow-artifacts:/" + id);
        q.executeUpdate();
      }
      return null;
    });
  }

  @StoreTest
  void aModelKeepsItsTagsParamsAndStatusAcrossAReopen(StoreBackend backend) {
    String id;
    try (Database db = backend.open()) {
      experiment(db, 42);
      LoggedModelStore store = new LoggedModelStore(db, "ada");
      LoggedModel m = store.create(42, "model", "run-1", "sklearn", Map.of("t", "1"), Map.of("C", "0.5"), 1_000);
      id = m.modelId();
      assertThat(m.artifactLocation()).isEqualTo("mlflow-artifacts:/42/models/" + id + "/artifacts");
      store.setTags(id, Map.of("t", "2", "u", "3"));
      store.setParams(id, Map.of("max_iter", "200"));
      store.deleteTag(id, "u");
      store.finalize(id, "LOGGED_MODEL_READY", 2_000);
      store.logOutputs("run-1", Map.of(id, 3L));
    }
    try (Database db = backend.open()) {
      LoggedModel m = new LoggedModelStore(db, "ada").get(id);
      assertThat(m.status()).isEqualTo("LOGGED_MODEL_READY");
      assertThat(m.updated()).isEqualTo(2_000);
      assertThat(m.tags()).isEqualTo(Map.of("t", "2"));
      assertThat(m.params()).isEqualTo(Map.of("C", "0.5", "max_iter", "200"));
    }
  }

  @StoreTest
  void searchFindsAnExperimentsModelsByNameNewestFirstInPages(StoreBackend backend) {
    try (Database db = backend.open()) {
      experiment(db, 7);
      experiment(db, 8);
      LoggedModelStore store = new LoggedModelStore(db, "ada");
      LoggedModel a = store.create(7, "model", null, null, Map.of(), Map.of(), 1_000);
      LoggedModel b = store.create(7, "model", null, null, Map.of(), Map.of(), 2_000);
      store.create(7, "other", null, null, Map.of(), Map.of(), 3_000);
      store.create(8, "model", null, null, Map.of(), Map.of(), 4_000);
      assertThat(store.search(List.of(7L), "model", 0, 10)).extracting(LoggedModel::modelId)
          .containsExactly(b.modelId(), a.modelId());
      assertThat(store.search(List.of(7L), null, 1, 1)).extracting(LoggedModel::modelId).containsExactly(b.modelId());
      assertThat(store.search(List.of(7L, 8L), "model", 0, 10)).hasSize(3);
    }
  }

  @StoreTest
  void unknownExperimentsAndModelsAre404AndStoreNothing(StoreBackend backend) {
    try (Database db = backend.open()) {
      LoggedModelStore store = new LoggedModelStore(db, "ada");
      assertThatThrownBy(() -> store.create(99, "model", null, null, Map.of("t", "1"), Map.of(), 1))
          .isInstanceOf(ApiException.class).satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(404));
      assertThat(store.search(List.of(99L), null, 0, 10)).isEmpty();
      assertThatThrownBy(() -> store.logOutputs("run", Map.of("m-none", 0L)))
          .satisfies(e -> assertThat(((ApiException) e).errorCode()).isEqualTo("RESOURCE_DOES_NOT_EXIST"));
    }
  }
}
