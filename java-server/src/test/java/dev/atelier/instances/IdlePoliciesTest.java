package dev.atelier.instances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.http.ApiException;
import dev.atelier.http.Json;
import dev.atelier.storage.Database;
import dev.atelier.support.StoreBackend;
import dev.atelier.support.StoreTest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Idle shutdown rules per instance type, kept in the metadata database (SQLite and PostgreSQL). */
class IdlePoliciesTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-02T09:00:00Z"), ZoneOffset.UTC);
  static final InstanceCatalog TYPES = InstanceCatalog.load(null, null, 0);

  static JsonNode json(String s) throws Exception {
    return Json.mapper().readTree(s);
  }

  @StoreTest
  void everyTypeIsOffUntilSetAndAllListsTheCatalogInOrder(StoreBackend backend) {
    try (Database db = backend.open()) {
      IdlePolicies idle = new IdlePolicies(db, TYPES, CLOCK);
      assertThat(idle.get("ml.m5.large")).isEqualTo(new IdlePolicies.Policy("ml.m5.large", 0, 0));
      assertThat(idle.all().keySet()).containsExactly(
          "ml.t3.medium", "ml.m5.large", "ml.c5.large", "ml.m5.xlarge", "ml.g4dn.xlarge");
      assertThat(idle.all().values()).allSatisfy(p -> {
        assertThat(p.kernelIdleMinutes()).isZero();
        assertThat(p.instanceIdleMinutes()).isZero();
      });
    }
  }

  @StoreTest
  void aRuleSetIsKeptAcrossARestartAndAPartialUpdateKeepsTheOtherRule(StoreBackend backend) throws Exception {
    try (Database db = backend.open()) {
      IdlePolicies idle = new IdlePolicies(db, TYPES, CLOCK);
      assertThat(idle.put("ml.t3.medium", json("{\"kernel_idle_minutes\": 30, \"instance_idle_minutes\": 60}")))
          .isEqualTo(new IdlePolicies.Policy("ml.t3.medium", 30, 60));
      // an upsert of the same row: only the named rule changes
      assertThat(idle.put("ml.t3.medium", json("{\"instance_idle_minutes\": 0}")))
          .isEqualTo(new IdlePolicies.Policy("ml.t3.medium", 30, 0));
      idle.put("ml.c5.large", json("{\"instance_idle_minutes\": " + IdlePolicies.MAX_MINUTES + "}"));
    }
    try (Database db = backend.open()) {
      IdlePolicies idle = new IdlePolicies(db, TYPES, CLOCK);
      assertThat(idle.get("ml.t3.medium")).isEqualTo(new IdlePolicies.Policy("ml.t3.medium", 30, 0));
      assertThat(idle.get("ml.c5.large").instanceIdle().toDays()).isEqualTo(7);
      assertThat(idle.get("ml.m5.large")).isEqualTo(new IdlePolicies.Policy("ml.m5.large", 0, 0));
    }
  }

  @StoreTest
  void badRulesAreRefusedNamingTheFieldAndNothingIsStored(StoreBackend backend) throws Exception {
    try (Database db = backend.open()) {
      IdlePolicies idle = new IdlePolicies(db, TYPES, CLOCK);
      idle.put("ml.m5.large", json("{\"kernel_idle_minutes\": 15}"));
      assertThatThrownBy(() -> idle.put("ml.m5.large", json("{\"kernel_idle_minutes\": -1}")))
          .isInstanceOf(ApiException.class).hasMessageContaining("kernel_idle_minutes: must be a whole number");
      assertThatThrownBy(() -> idle.put("ml.m5.large", json("{\"instance_idle_minutes\": \"10\"}")))
          .hasMessageContaining("instance_idle_minutes").hasMessageContaining("not \"10\"");
      assertThatThrownBy(() -> idle.put("ml.m5.large", json("{\"idle\": 5}")))
          .hasMessageContaining("idle: unknown field");
      assertThatThrownBy(() -> idle.put("ml.p3.16xlarge", json("{\"kernel_idle_minutes\": 5}")))
          .isInstanceOf(ApiException.class).hasMessageContaining("unknown instance type 'ml.p3.16xlarge'");
    }
    try (Database db = backend.open()) {
      IdlePolicies idle = new IdlePolicies(db, TYPES, CLOCK);
      assertThat(idle.get("ml.m5.large")).isEqualTo(new IdlePolicies.Policy("ml.m5.large", 15, 0));
      assertThat(idle.get("ml.p3.16xlarge")).isEqualTo(new IdlePolicies.Policy("ml.p3.16xlarge", 0, 0));
    }
  }

  /** An idle rule is a setting, not a placement: a listed GPU type takes one on a host without a GPU. */
  @StoreTest
  void aListedTypeThisHostCannotRunStillTakesAnIdleRule(StoreBackend backend) throws Exception {
    try (Database db = backend.open()) {
      IdlePolicies idle = new IdlePolicies(db, TYPES, CLOCK);
      assertThat(TYPES.unavailableReason(TYPES.all().stream()
          .filter(t -> t.name().equals("ml.g4dn.xlarge")).findFirst().orElseThrow())).contains("needs 1 GPU");
      assertThat(idle.put("ml.g4dn.xlarge", json("{\"kernel_idle_minutes\": 45}")))
          .isEqualTo(new IdlePolicies.Policy("ml.g4dn.xlarge", 45, 0));
    }
    try (Database db = backend.open()) {
      assertThat(new IdlePolicies(db, TYPES, CLOCK).get("ml.g4dn.xlarge").kernelIdleMinutes()).isEqualTo(45);
    }
  }
}
