package dev.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's log: one JSON line per event ({@code t} epoch millis, {@code d} the engine's timestamp
 * for container output, {@code m} the text) appended to a file, read from a byte offset that
 * serves as the paging token.
 */
public final class JobLog {
  /** Longest line kept; longer output is cut with a marker. */
  static final int MAX_LINE = 16 * 1024;

  /** A page of events and where to read on. */
  public record Page(List<ObjectNode> events, long next) {}

  private final Path file;
  /** Read from the file when first asked (only a job being followed again needs it). */
  private String lastEngineTimestamp;
  private boolean lastEngineTimestampKnown;

  public JobLog(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /** The engine timestamp of the last container line recorded, so a re-attached follow skips what is here. */
  public synchronized String lastEngineTimestamp() {
    if (!lastEngineTimestampKnown) {
      lastEngineTimestamp = readLastEngineTimestamp();
      lastEngineTimestampKnown = true;
    }
    return lastEngineTimestamp;
  }

  /** Atelier's own line (staging, uploading, status). */
  public void note(String message) {
    append(System.currentTimeMillis(), null, "[atelier] " + message);
  }

  public synchronized void append(long millis, String engineTimestamp, String message) {
    String m = message.length() > MAX_LINE ? message.substring(0, MAX_LINE) + " [line cut at 16 KiB]" : message;
    ObjectNode e = Json.mapper().createObjectNode();
    e.put("t", millis);
    if (engineTimestamp != null) {
      e.put("d", engineTimestamp);
      lastEngineTimestamp = engineTimestamp;
      lastEngineTimestampKnown = true;
    }
    e.put("m", m);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, Json.encode(e) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write the job log " + file, ex);
    }
  }

  /** Up to {@code limit} events from byte {@code offset} (0: the start). */
  public synchronized Page read(long offset, int limit) {
    List<ObjectNode> events = new ArrayList<>();
    if (!Files.exists(file)) {
      return new Page(events, 0);
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      long pos = Math.min(Math.max(0, offset), len);
      f.seek(pos);
      byte[] buf = new byte[64 * 1024];
      java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
      long lineStart = pos;
      while (events.size() < limit && pos < len) {
        int n = f.read(buf, 0, (int) Math.min(buf.length, len - pos));
        if (n <= 0) {
          break;
        }
        int i = 0;
        for (; i < n && events.size() < limit; i++) {
          if (buf[i] == '\n') {
            events.add(event(line.toByteArray()));
            line.reset();
            lineStart = pos + i + 1;
          } else {
            line.write(buf[i]);
          }
        }
        pos += i;
      }
      return new Page(events, lineStart);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the job log " + file, e);
    }
  }

  /** The last {@code n} container lines (within the log's last 64 KiB), for failure reasons. */
  public synchronized List<String> tail(int n) {
    List<String> out = new ArrayList<>();
    long size;
    try {
      size = Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return out;
    }
    Page p = read(Math.max(0, size - 64 * 1024), Integer.MAX_VALUE);
    // Reading from the middle of a line yields one unreadable first event: it is dropped below
    // along with Atelier's own lines.
    for (int i = size > 64 * 1024 ? 1 : 0; i < p.events().size(); i++) {
      String m = p.events().get(i).get("message").asText();
      if (!m.startsWith("[atelier] ")) {
        out.add(m);
      }
    }
    return out.subList(Math.max(0, out.size() - n), out.size());
  }

  private static ObjectNode event(byte[] raw) {
    ObjectNode out = Json.mapper().createObjectNode();
    try {
      JsonNode e = Json.mapper().readTree(raw);
      out.put("timestamp", e.path("t").asLong());
      out.put("message", e.path("m").asText());
    } catch (IOException ex) {
      out.put("timestamp", 0);
      out.put("message", new String(raw, StandardCharsets.UTF_8));
    }
    return out;
  }

  private String readLastEngineTimestamp() {
    if (!Files.exists(file)) {
      return null;
    }
    String last = null;
    try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
      for (String l : (Iterable<String>) lines::iterator) {
        int at = l.indexOf("\"d\":\"");
        if (at >= 0) {
          last = l.substring(at + 5, l.indexOf('"', at + 5));
        }
      }
    } catch (IOException | UncheckedIOException e) {
      return null;
    }
    return last;
  }
}
