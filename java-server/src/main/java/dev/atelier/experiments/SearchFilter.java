package dev.atelier.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * MLflow's search grammar: {@code metrics.rmse < 0.5 AND params.model = 'tree' AND
 * attributes.status IN ('FINISHED', 'FAILED')}, and its {@code order_by} terms
 * ({@code metrics.`val loss` DESC}). A malformed string is refused with INVALID_PARAMETER_VALUE
 * and a message that says where (position and token) and what was expected.
 */
public final class SearchFilter {
  public enum Entity { METRIC, PARAM, TAG, ATTRIBUTE, DATASET }

  /** What an attribute holds, which decides the comparators and values it takes. */
  public enum Type { STRING, NUMBER }

  /**
   * One comparison. {@code value} is a Double for numeric comparisons, a String, a List of Strings
   * for IN and NOT IN, or null for IS NULL and IS NOT NULL.
   */
  public record Clause(Entity entity, String key, String op, Object value) {}

  public record Order(Entity entity, String key, boolean ascending) {}

  /** The attributes a search knows (name -> type) and whether params, metrics and datasets exist. */
  public record Grammar(Map<String, Type> attributes, boolean runs) {}

  public static final Grammar RUNS = new Grammar(Map.of("run_id", Type.STRING, "run_name", Type.STRING,
      "status", Type.STRING, "user_id", Type.STRING, "artifact_uri", Type.STRING, "source", Type.STRING,
      "trial_name", Type.STRING, "start_time", Type.NUMBER, "end_time", Type.NUMBER), true);
  public static final Grammar EXPERIMENTS = new Grammar(Map.of("name", Type.STRING, "creation_time", Type.NUMBER,
      "last_update_time", Type.NUMBER, "experiment_id", Type.NUMBER), false);

  private static final Set<String> NUMERIC_OPS = Set.of("=", "!=", "<", "<=", ">", ">=");
  private static final Set<String> STRING_OPS = Set.of("=", "!=", "LIKE", "ILIKE", "IN", "NOT IN");
  private static final Set<String> PRESENCE_OPS = Set.of("IS NULL", "IS NOT NULL");

  private final String text;
  private final Grammar grammar;
  private final List<Token> tokens;
  private int at;

  private SearchFilter(String text, Grammar grammar) {
    this.text = text;
    this.grammar = grammar;
    this.tokens = Tokens.of(text, this::fail);
  }

  /** The clauses of {@code filter} (null or blank: none), all to hold at once. */
  public static List<Clause> parse(String filter, Grammar grammar) {
    if (filter == null || filter.isBlank()) {
      return List.of();
    }
    SearchFilter p = new SearchFilter(filter, grammar);
    List<Clause> out = new ArrayList<>();
    out.add(p.clause());
    while (!p.atEnd()) {
      Token t = p.next();
      if (t.isWord("OR")) {
        throw p.fail(t, "OR is not supported: MLflow's search grammar joins conditions with AND only");
      }
      if (!t.isWord("AND")) {
        throw p.fail(t, "expected AND between conditions");
      }
      out.add(p.clause());
    }
    return out;
  }

  /** One {@code order_by} term: an identifier, then ASC or DESC (ascending when absent). */
  public static Order parseOrder(String term, Grammar grammar) {
    if (term == null || term.isBlank()) {
      throw MlflowErrors.invalid("Invalid order_by clause '': give an identifier such as 'metrics.rmse DESC'");
    }
    SearchFilter p = new SearchFilter(term, grammar);
    Token start = p.peek();
    String[] id = p.identifier();
    Entity entity = Entity.valueOf(id[0]);
    if (entity == Entity.DATASET) {
      throw p.fail(start, "runs cannot be ordered by a dataset");
    }
    boolean asc = true;
    if (!p.atEnd()) {
      Token t = p.next();
      if (t.isWord("DESC")) {
        asc = false;
      } else if (!t.isWord("ASC")) {
        throw p.fail(t, "expected ASC or DESC after the identifier");
      }
    }
    if (!p.atEnd()) {
      throw p.fail(p.peek(), "expected the end of the order_by term");
    }
    return new Order(entity, id[1], asc);
  }

  private Clause clause() {
    Token start = peek();
    String[] id = identifier();
    Entity entity = Entity.valueOf(id[0]);
    String key = id[1];
    Token opToken = peek();
    String op = comparator();
    Type type = switch (entity) {
      case METRIC -> Type.NUMBER;
      case PARAM, TAG, DATASET -> Type.STRING;
      case ATTRIBUTE -> grammar.attributes().get(key);
    };
    String what = describe(entity, key);
    if (PRESENCE_OPS.contains(op)) {
      if (entity != Entity.PARAM && entity != Entity.TAG) {
        throw fail(opToken, op + " applies to params and tags only, not to " + what);
      }
      return new Clause(entity, key, op, null);
    }
    Set<String> ops = type == Type.NUMBER ? NUMERIC_OPS : STRING_OPS;
    if (!ops.contains(op)) {
      throw fail(opToken, "'" + op + "' cannot compare " + what + "; use one of " + String.join(", ", sorted(ops)));
    }
    if (entity == Entity.ATTRIBUTE && key.equals("run_id") && (op.equals("LIKE") || op.equals("ILIKE"))) {
      throw fail(opToken, "run_id takes =, !=, IN or NOT IN");
    }
    Object value;
    if (op.equals("IN") || op.equals("NOT IN")) {
      value = list();
    } else if (type == Type.NUMBER) {
      Token t = next();
      if (t.kind() != Token.Kind.NUMBER) {
        throw fail(t, "expected a number to compare " + what + " with");
      }
      value = Double.parseDouble(t.text());
    } else {
      Token t = next();
      if (t.kind() != Token.Kind.STRING) {
        throw fail(t, "expected a quoted string to compare " + what + " with");
      }
      value = t.text();
    }
    if (entity == Entity.DATASET && !Set.of("name", "digest").contains(key)) {
      throw fail(start, "datasets can be searched by name or digest, not '" + key + "'");
    }
    return new Clause(entity, key, op, value);
  }

  /** {@code [entity.]key} with the key bare, in backticks or in double quotes: {"METRIC", "rmse"}. */
  private String[] identifier() {
    Token t = next();
    if (t.kind() != Token.Kind.WORD) {
      throw fail(t, "expected an identifier such as metrics.rmse, params.lr, tags.team or attributes.status");
    }
    String word = t.text();
    int dot = word.indexOf('.');
    String prefix = dot < 0 ? null : word.substring(0, dot);
    String key = dot < 0 ? word : word.substring(dot + 1);
    if (dot >= 0 && key.isEmpty()) {
      Token q = next();
      if (q.kind() != Token.Kind.QUOTED_NAME && q.kind() != Token.Kind.STRING) {
        throw fail(q, "expected a key after '" + word + "'");
      }
      key = q.text();
    }
    Entity entity = prefix == null ? Entity.ATTRIBUTE : entity(prefix, t);
    if (entity == Entity.ATTRIBUTE) {
      if (!grammar.attributes().containsKey(key)) {
        throw fail(t, "'" + key + "' is not an attribute; valid attributes are "
            + String.join(", ", sorted(grammar.attributes().keySet())));
      }
    } else if (key.isEmpty()) {
      throw fail(t, "expected a key after '" + word + "'");
    }
    return new String[] {entity.name(), key};
  }

  private Entity entity(String prefix, Token t) {
    String p = prefix.toLowerCase(Locale.ROOT);
    Entity e = switch (p) {
      case "metric", "metrics" -> Entity.METRIC;
      case "param", "params", "parameter", "parameters" -> Entity.PARAM;
      case "tag", "tags" -> Entity.TAG;
      case "attribute", "attributes", "attr", "run" -> Entity.ATTRIBUTE;
      case "dataset", "datasets" -> Entity.DATASET;
      default -> null;
    };
    if (e == null || (!grammar.runs() && e != Entity.TAG && e != Entity.ATTRIBUTE)) {
      throw fail(t, "'" + prefix + "' is not an entity here; use "
          + (grammar.runs() ? "metrics., params., tags., attributes. or datasets." : "tags. or attributes."));
    }
    return e;
  }

  private String comparator() {
    Token t = next();
    if (t.kind() == Token.Kind.SYMBOL && Set.of("=", "!=", "<", "<=", ">", ">=", "<>").contains(t.text())) {
      return t.text().equals("<>") ? "!=" : t.text();
    }
    if (t.kind() == Token.Kind.WORD) {
      String w = t.text().toUpperCase(Locale.ROOT);
      switch (w) {
        case "LIKE", "ILIKE", "IN":
          return w;
        case "NOT":
          Token n = next();
          if (n.isWord("IN")) {
            return "NOT IN";
          }
          throw fail(n, "expected IN after NOT");
        case "IS":
          Token n2 = next();
          if (n2.isWord("NULL")) {
            return "IS NULL";
          }
          if (n2.isWord("NOT") && next().isWord("NULL")) {
            return "IS NOT NULL";
          }
          throw fail(n2, "expected NULL or NOT NULL after IS");
        default:
          break;
      }
    }
    throw fail(t, "expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL)");
  }

  private List<String> list() {
    Token open = next();
    if (!open.isSymbol("(")) {
      throw fail(open, "expected '(' to start the list of values");
    }
    List<String> values = new ArrayList<>();
    while (true) {
      Token v = next();
      if (v.kind() != Token.Kind.STRING) {
        throw fail(v, "expected a quoted string in the list");
      }
      values.add(v.text());
      Token sep = next();
      if (sep.isSymbol(")")) {
        return values;
      }
      if (!sep.isSymbol(",")) {
        throw fail(sep, "expected ',' or ')' in the list of values");
      }
    }
  }

  private static String describe(Entity e, String key) {
    return switch (e) {
      case METRIC -> "metric '" + key + "'";
      case PARAM -> "param '" + key + "'";
      case TAG -> "tag '" + key + "'";
      case ATTRIBUTE -> "attribute '" + key + "'";
      case DATASET -> "dataset " + key;
    };
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().toList();
  }

  private boolean atEnd() {
    return at >= tokens.size();
  }

  private Token peek() {
    return atEnd() ? null : tokens.get(at);
  }

  /** The next token; running out of tokens is an error that says what the filter ended without. */
  private Token next() {
    if (atEnd()) {
      throw fail(null, "the filter ends too early");
    }
    return tokens.get(at++);
  }

  private RuntimeException fail(Token t, String why) {
    String where = t == null ? "at the end (position " + text.length() + ")"
        : "at position " + t.position() + " (" + (t.kind() == Token.Kind.STRING ? abbreviate(t.raw())
            : "'" + abbreviate(t.raw()) + "'") + ")";
    return MlflowErrors.invalid("Invalid search expression \"" + abbreviate(text) + "\": " + where + ": " + why);
  }

  RuntimeException fail(int position, String why) {
    return MlflowErrors.invalid("Invalid search expression \"" + abbreviate(text) + "\": at position " + position
        + ": " + why);
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 197) + "...";
  }
}
