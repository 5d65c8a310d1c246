package dev.atelier.endpoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.endpoints.EndpointStore.Kind;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.storage.Database;
import dev.atelier.support.StoreBackend;
import dev.atelier.support.StoreTest;

/** Models, configs and endpoints in the metadata database, on SQLite and PostgreSQL. */
class EndpointStoreTest {
  private static ObjectNode d(String field, String value) {
    return Json.mapper().createObjectNode().put(field, value);
  }

  @StoreTest
  void modelsAndConfigsAreStoredWithTheirOwnerListedNewestFirstAndDeleted(StoreBackend backend) {
    try (Database db = backend.open()) {
      EndpointStore store = new EndpointStore(db);
      store.insert(Kind.MODEL, new EndpointStore.Resource("iris", "ada", 1_000, d("ModelName", "iris")));
      store.insert(Kind.MODEL, new EndpointStore.Resource("wine", "bob", 2_000, d("ModelName", "wine")));
      store.insert(Kind.CONFIG, new EndpointStore.Resource("iris", "ada", 3_000, d("EndpointConfigName", "iris")));
      assertThat(store.list(Kind.MODEL)).extracting(EndpointStore.Resource::name).containsExactly("wine", "iris");
      assertThat(store.get(Kind.MODEL, "wine").createdBy()).isEqualTo("bob");
      assertThat(store.get(Kind.CONFIG, "iris").description().path("EndpointConfigName").asText()).isEqualTo("iris");
      assertThatThrownBy(() -> store.insert(Kind.MODEL, new EndpointStore.Resource("iris", "x", 4_000, d("a", "b"))))
          .isInstanceOf(ApiException.class).hasMessageContaining("a model named 'iris' already exists")
          .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(409));
      assertThat(store.delete(Kind.MODEL, "iris")).isTrue();
      assertThat(store.delete(Kind.MODEL, "iris")).isFalse();
      assertThat(store.get(Kind.CONFIG, "iris")).isNotNull();
    }
  }

  @StoreTest
  void anEndpointKeepsItsStatusDescriptionAndPlanAcrossAReopen(StoreBackend backend) {
    ObjectNode plan = Json.mapper().createObjectNode();
    plan.putArray("Variants").addObject().put("VariantName", "a");
    try (Database db = backend.open()) {
      EndpointStore store = new EndpointStore(db);
      store.insert(new EndpointStore.Endpoint("ep", "cfg", "Creating", "ada", 1_000, 1_000, d("EndpointName", "ep"),
          plan));
      assertThatThrownBy(() -> store.insert(new EndpointStore.Endpoint("ep", "cfg", "Creating", "ada", 1, 1,
          d("a", "b"), plan))).isInstanceOf(ApiException.class).hasMessageContaining("already exists");
      store.update("ep", "InService", d("EndpointStatus", "InService"), plan, 2_000);
    }
    try (Database db = backend.open()) {
      EndpointStore store = new EndpointStore(db);
      EndpointStore.Endpoint e = store.endpoint("ep");
      assertThat(e.status()).isEqualTo("InService");
      assertThat(e.createdBy()).isEqualTo("ada");
      assertThat(e.updatedAt()).isEqualTo(2_000);
      assertThat(e.plan().path("Variants").get(0).path("VariantName").asText()).isEqualTo("a");
      assertThat(store.endpointsOf("cfg")).containsExactly("ep");
      assertThat(store.deleteEndpoint("ep")).isTrue();
      assertThat(store.endpoints()).isEmpty();
    }
  }
}
