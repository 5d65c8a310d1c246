package dev.atelier.endpoints.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last records captured per endpoint, in memory, for a look at what the endpoint is being sent
 * without reading the capture files: at most {@link #MAX_RECORDS} an endpoint, and at most
 * {@link #MAX_CHARS} characters of records an endpoint (bodies can be 6 MB each), the oldest
 * dropped first. Kept as their JSON lines, parsed when read.
 */
final class RecentRecords {
  static final int MAX_RECORDS = 100;
  static final long MAX_CHARS = 16L * 1024 * 1024;

  private record Kept(String variant, String line) {}

  private static final class Ring {
    final ArrayDeque<Kept> records = new ArrayDeque<>();
    long chars;
  }

  private final Map<String, Ring> rings = new ConcurrentHashMap<>();

  /** One record's JSON line as written to the capture file. */
  void add(String endpoint, String variant, String line) {
    Ring r = rings.computeIfAbsent(endpoint, e -> new Ring());
    synchronized (r) {
      r.records.addLast(new Kept(variant, line));
      r.chars += line.length();
      while (r.records.size() > MAX_RECORDS || (r.chars > MAX_CHARS && r.records.size() > 1)) {
        r.chars -= r.records.removeFirst().line().length();
      }
    }
  }

  /** {@code {Records: [...]}}: the newest {@code limit} records, newest first, each with its {@code Variant}. */
  ObjectNode newest(String endpoint, int limit) {
    ObjectNode out = Json.mapper().createObjectNode();
    ArrayNode list = out.putArray("Records");
    Ring r = rings.get(endpoint);
    if (r == null) {
      return out;
    }
    java.util.List<Kept> kept = new java.util.ArrayList<>(limit);
    synchronized (r) {
      for (Iterator<Kept> it = r.records.descendingIterator(); it.hasNext() && kept.size() < limit;) {
        kept.add(it.next());
      }
    }
    for (Kept k : kept) {
      try {
        JsonNode n = Json.mapper().readTree(k.line());
        if (n instanceof ObjectNode o) {
          list.add(o.put("Variant", k.variant()));
        }
      } catch (java.io.IOException e) {
        // every line kept was written by CaptureRecord: it parses
      }
    }
    return out;
  }

  void forget(String endpoint) {
    rings.remove(endpoint);
  }
}
