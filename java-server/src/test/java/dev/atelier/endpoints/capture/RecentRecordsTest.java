package dev.atelier.endpoints.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The last captured records kept per endpoint: newest first, at most 100, bounded in size. */
class RecentRecordsTest {
  private static String line(int i, int size) {
    return "{\"eventMetadata\":{\"eventId\":\"e" + i + "\"},\"pad\":\"" + "x".repeat(size) + "\",\"eventVersion\":\"0\"}";
  }

  @Test
  void theNewestComeFirstWithTheirVariantAndOnlyTheLastHundredAreKept() {
    RecentRecords r = new RecentRecords();
    for (int i = 0; i < 130; i++) {
      r.add("ep", i % 2 == 0 ? "blue" : "green", line(i, 0));
    }
    JsonNode all = r.newest("ep", 1000).get("Records");
    assertThat(all).hasSize(RecentRecords.MAX_RECORDS);
    assertThat(all.get(0).path("eventMetadata").path("eventId").asText()).isEqualTo("e129");
    assertThat(all.get(0).path("Variant").asText()).isEqualTo("green");
    assertThat(all.get(99).path("eventMetadata").path("eventId").asText()).isEqualTo("e30");
    assertThat(r.newest("ep", 3).get("Records")).hasSize(3);
    assertThat(r.newest("other", 3).get("Records")).isEmpty();
    r.forget("ep");
    assertThat(r.newest("ep", 3).get("Records")).isEmpty();
  }

  @Test
  void largeRecordsPushOutTheOldestToStayWithinTheSizeBound() {
    RecentRecords r = new RecentRecords();
    int big = (int) (RecentRecords.MAX_CHARS / 3);
    for (int i = 0; i < 5; i++) {
      r.add("ep", "v", line(i, big));
    }
    JsonNode kept = r.newest("ep", 100).get("Records");
    assertThat(kept).hasSize(2);
    assertThat(kept.get(0).path("eventMetadata").path("eventId").asText()).isEqualTo("e4");
  }
}
