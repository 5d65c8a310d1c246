package dev.atelier.sagemaker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AddTags, ListTags and DeleteTags on the resources this API serves, named by their ARNs, and the
 * Tags of their Create requests. A resource is the caller's own: an ARN of another owner's
 * resource, of another account or of a type not served is not found.
 */
final class TagOperations {
  /** SageMaker's limit of tags per resource. */
  static final int MAX_TAGS = 50;
  private static final Pattern ARN = Pattern.compile("arn:aws[a-z\\-]*:sagemaker:([a-z0-9\\-]+):(\\d{12}):([a-z\\-]+)/(.+)");
  private static final Pattern TAG_TEXT = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");

  /** Whether the owner has a resource of this ARN type with this (lower-cased) name. */
  @FunctionalInterface
  interface Resources {
    boolean exists(String owner, String type, String lowerName);
  }

  private final TagStore store;
  private final String account;
  private final Map<String, Resources> served;
  private final Clock clock;

  /** @param served by ARN resource type ({@code training-job}, {@code processing-job}...) */
  TagOperations(TagStore store, String account, Map<String, Resources> served, Clock clock) {
    this.store = store;
    this.account = account;
    this.served = Map.copyOf(served);
    this.clock = clock;
  }

  Map<String, Operation> operations() {
    return Map.of("AddTags", this::add, "ListTags", this::list, "DeleteTags", this::delete);
  }

  /** The tags of a Create request, checked as AddTags checks them; null when it has none. */
  static Map<String, String> parse(JsonNode tags, String member) {
    if (tags == null || tags.isNull()) {
      return null;
    }
    if (!tags.isArray()) {
      throw AwsException.validation("1 validation error detected: Value '" + SigV4.abbreviate(tags.toString())
          + "' at '" + member + "' failed to satisfy constraint: Member must be a list of {Key, Value}");
    }
    if (tags.size() > MAX_TAGS) {
      throw AwsException.validation("1 validation error detected: Value at '" + member + "' failed to satisfy"
          + " constraint: Member must have length less than or equal to " + MAX_TAGS);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < tags.size(); i++) {
      JsonNode t = tags.get(i);
      String at = member + "." + (i + 1);
      if (!t.isObject()) {
        throw AwsException.validation("1 validation error detected: Value at '" + at + "' failed to satisfy"
            + " constraint: Member must be an object {Key, Value}");
      }
      Input tag = Input.of("Tag", t, Set.of("Key", "Value"));
      String key = text(tag, t, "Key", at + ".member.key", true, 128);
      String value = text(tag, t, "Value", at + ".member.value", false, 256);
      if (key.isEmpty()) {
        throw AwsException.validation("1 validation error detected: Value '' at '" + at + ".member.key' failed to"
            + " satisfy constraint: Member must have length greater than or equal to 1");
      }
      if (key.toLowerCase(Locale.ROOT).startsWith("aws:")) {
        throw AwsException.validation("Tag keys starting with 'aws:' are reserved for system use: '"
            + SigV4.abbreviate(key) + "' at '" + at + ".member.key'");
      }
      if (out.put(key, value == null ? "" : value) != null) {
        throw AwsException.validation("Duplicate tag key '" + SigV4.abbreviate(key) + "' at '" + at
            + ".member.key': each key may be given once");
      }
    }
    return out;
  }

  /** Stores the tags of a resource just created by {@code caller}. */
  void created(Operation.Caller caller, String type, String name, Map<String, String> tags) {
    if (tags != null && !tags.isEmpty()) {
      store.put(caller.owner(), type, name.toLowerCase(Locale.ROOT), tags, MAX_TAGS, clock.millis());
    }
  }

  private JsonNode add(Operation.Caller caller, JsonNode in) {
    Input q = Input.of("AddTags", in, Set.of("ResourceArn", "Tags"));
    String[] r = resource(caller, q);
    if (!in.has("Tags") || in.get("Tags").isNull()) {
      throw AwsException.validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint:"
          + " Member must not be null");
    }
    Map<String, String> tags = parse(in.get("Tags"), "tags");
    if (!store.put(caller.owner(), r[0], r[1], tags, MAX_TAGS, clock.millis())) {
      throw new AwsException(400, "ResourceLimitExceeded", "A resource can have at most " + MAX_TAGS
          + " tags: " + SigV4.abbreviate(q.string("ResourceArn", true, 256)) + " would have more");
    }
    ObjectNode out = Json.mapper().createObjectNode();
    ArrayNode list = out.putArray("Tags");
    tags.forEach((k, v) -> list.addObject().put("Key", k).put("Value", v));
    return out;
  }

  private JsonNode list(Operation.Caller caller, JsonNode in) {
    Input q = Input.of("ListTags", in, Set.of("ResourceArn", "NextToken", "MaxResults"));
    String[] r = resource(caller, q);
    int max = q.integer("MaxResults", 50, 50, 100);
    String token = q.string("NextToken", false, 8192);
    List<TagStore.Tag> all = new ArrayList<>(store.list(caller.owner(), r[0], r[1]));
    PageToken.Page<TagStore.Tag> page = PageToken.page(all, token, max, r[0] + "/" + r[1]);
    ObjectNode out = Json.mapper().createObjectNode();
    ArrayNode list = out.putArray("Tags");
    page.items().forEach(t -> list.addObject().put("Key", t.key()).put("Value", t.value()));
    if (page.nextToken() != null) {
      out.put("NextToken", page.nextToken());
    }
    return out;
  }

  private JsonNode delete(Operation.Caller caller, JsonNode in) {
    Input q = Input.of("DeleteTags", in, Set.of("ResourceArn", "TagKeys"));
    String[] r = resource(caller, q);
    JsonNode keys = in.get("TagKeys");
    if (keys == null || !keys.isArray() || keys.isEmpty() || keys.size() > MAX_TAGS) {
      throw AwsException.validation("1 validation error detected: Value at 'tagKeys' failed to satisfy constraint:"
          + " Member must be a list of 1 to " + MAX_TAGS + " tag keys");
    }
    List<String> names = new ArrayList<>();
    for (JsonNode k : keys) {
      if (!k.isTextual() || k.asText().isEmpty() || k.asText().length() > 128 || !TAG_TEXT.matcher(k.asText()).matches()) {
        throw AwsException.validation("1 validation error detected: Value '" + SigV4.abbreviate(k.toString())
            + "' at 'tagKeys' failed to satisfy constraint: Member must be a tag key of 1 to 128 characters matching "
            + TAG_TEXT.pattern());
      }
      names.add(k.asText());
    }
    store.delete(caller.owner(), r[0], r[1], names);
    return Json.mapper().createObjectNode();
  }

  /** The ARN's resource type and lower-cased name, after checking it is the caller's. */
  private String[] resource(Operation.Caller caller, Input q) {
    String arn = q.string("ResourceArn", true, 256);
    Matcher m = ARN.matcher(arn);
    if (!m.matches()) {
      throw AwsException.validation("1 validation error detected: Value '" + SigV4.abbreviate(arn) + "' at"
          + " 'resourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern:"
          + " arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:.+");
    }
    String type = m.group(3);
    String name = m.group(4).toLowerCase(Locale.ROOT);
    Resources resources = served.get(type);
    if (!m.group(2).equals(account) || resources == null || !resources.exists(caller.owner(), type, name)) {
      // As for any resource SageMaker does not find (not confirmed against AWS for tags).
      throw AwsException.validation("Could not find resource " + SigV4.abbreviate(arn) + ".");
    }
    return new String[] {type, name};
  }

  private static String text(Input tag, JsonNode t, String member, String path, boolean required, int max) {
    JsonNode v = t.get(member);
    if (v == null || v.isNull()) {
      if (required) {
        throw AwsException.validation("1 validation error detected: Value null at '" + path + "' failed to satisfy"
            + " constraint: Member must not be null");
      }
      return null;
    }
    if (!v.isTextual() || v.asText().length() > max || !TAG_TEXT.matcher(v.asText()).matches()) {
      throw AwsException.validation("1 validation error detected: Value '" + SigV4.abbreviate(v.toString()) + "' at '"
          + path + "' failed to satisfy constraint: Member must be a string of at most " + max
          + " characters matching " + TAG_TEXT.pattern());
    }
    return tag.string(member, required, max);
  }
}
