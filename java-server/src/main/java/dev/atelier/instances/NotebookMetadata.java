package dev.atelier.instances;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.atelier.http.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a saved notebook asks to run: {@code metadata.instance_type} (SageMaker Studio's key) and
 * {@code metadata.atelier.image}. Read by streaming past the cells, so a notebook with large
 * outputs costs one pass over its bytes and no tree of them.
 */
public final class NotebookMetadata {
  /** What the notebook asks for; either may be null. */
  public record Placement(String instanceType, String image) {
    static final Placement NONE = new Placement(null, null);
  }

  private NotebookMetadata() {}

  /** The notebook's placement, or {@link Placement#NONE} when it has none or cannot be read. */
  public static Placement read(Path notebook) {
    if (notebook == null || !notebook.toString().endsWith(".ipynb") || !Files.isRegularFile(notebook)) {
      return Placement.NONE;
    }
    try (JsonParser p = Json.mapper().getFactory().createParser(notebook.toFile())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Placement.NONE;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if ("metadata".equals(field) && p.currentToken() == JsonToken.START_OBJECT) {
          JsonNode md = Json.mapper().readTree(p);
          return new Placement(text(md.path("instance_type")), text(md.path("atelier").path("image")));
        }
        p.skipChildren();
      }
    } catch (IOException | RuntimeException e) {
      // not a notebook we can read: the defaults apply
    }
    return Placement.NONE;
  }

  private static String text(JsonNode n) {
    return n.isTextual() && !n.asText().isBlank() ? n.asText().trim() : null;
  }
}
