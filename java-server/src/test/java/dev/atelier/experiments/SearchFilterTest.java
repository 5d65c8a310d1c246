package dev.atelier.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.experiments.SearchFilter.Clause;
import dev.atelier.experiments.SearchFilter.Entity;
import dev.atelier.http.ApiException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SearchFilterTest {
  private static List<Clause> runs(String f) {
    return SearchFilter.parse(f, SearchFilter.RUNS);
  }

  private static void refused(String filter, String... parts) {
    assertThatThrownBy(() -> runs(filter)).isInstanceOf(ApiException.class)
        .satisfies(e -> assertThat(((ApiException) e).errorCode()).isEqualTo("INVALID_PARAMETER_VALUE"))
        .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400))
        .message().contains(parts);
  }

  @Test
  void metricsParamsTagsAndAttributesAreJoinedByAnd() {
    List<Clause> c = runs("metrics.rmse < 0.5 and params.model = 'tree' AND tags.`team name` LIKE \"ml%\""
        + " AND attributes.status IN ('FINISHED', 'FAILED') AND start_time >= 1700000000000");
    assertThat(c).containsExactly(
        new Clause(Entity.METRIC, "rmse", "<", 0.5),
        new Clause(Entity.PARAM, "model", "=", "tree"),
        new Clause(Entity.TAG, "team name", "LIKE", "ml%"),
        new Clause(Entity.ATTRIBUTE, "status", "IN", List.of("FINISHED", "FAILED")),
        new Clause(Entity.ATTRIBUTE, "start_time", ">=", 1.7e12));
  }

  @Test
  void keysMayBeDottedQuotedOrBackticked() {
    assertThat(runs("metrics.val.loss > -1e-3")).containsExactly(new Clause(Entity.METRIC, "val.loss", ">", -1e-3));
    assertThat(runs("metric.\"train/loss\" != 2")).containsExactly(new Clause(Entity.METRIC, "train/loss", "!=", 2.0));
    assertThat(runs("tags.mlflow.runName ILIKE '%Fox%'"))
        .containsExactly(new Clause(Entity.TAG, "mlflow.runName", "ILIKE", "%Fox%"));
    assertThat(runs("run_id NOT IN ('a', 'b')"))
        .containsExactly(new Clause(Entity.ATTRIBUTE, "run_id", "NOT IN", List.of("a", "b")));
    assertThat(runs("params.lr IS NULL")).containsExactly(new Clause(Entity.PARAM, "lr", "IS NULL", null));
    assertThat(runs("  ")).isEmpty();
  }

  @Test
  void errorsSayWhereAndWhat() {
    refused("metrics.rmse < 'low'", "position 15", "'low'", "expected a number");
    refused("params.model = tree", "position 15", "'tree'", "quoted string");
    refused("metrics.rmse << 1", "position 14", "'<'", "expected a number");
    refused("metrics.rmse ~ 1", "position 13", "unexpected character '~'");
    refused("metrics.rmse < 1 OR params.a = 'b'", "position 17", "OR is not supported");
    refused("metrics.rmse < 1 params.a = 'b'", "position 17", "expected AND");
    refused("foo = 'x'", "position 0", "'foo' is not an attribute");
    refused("metrix.rmse = 1", "position 0", "'metrix' is not an entity");
    refused("params.model = 'tree", "position 15", "never closed");
    refused("metrics.rmse <", "at the end", "ends too early");
    refused("params.model < 'a'", "position 13", "'<' cannot compare param 'model'");
    refused("run_id LIKE 'a%'", "run_id takes");
    refused("status IN ('A' 'B')", "expected ',' or ')'");
  }

  @Test
  void orderByTermsTakeAnIdentifierAndADirection() {
    assertThat(SearchFilter.parseOrder("metrics.`val loss` DESC", SearchFilter.RUNS))
        .isEqualTo(new SearchFilter.Order(Entity.METRIC, "val loss", false));
    assertThat(SearchFilter.parseOrder("attributes.start_time", SearchFilter.RUNS))
        .isEqualTo(new SearchFilter.Order(Entity.ATTRIBUTE, "start_time", true));
    assertThatThrownBy(() -> SearchFilter.parseOrder("params.a sideways", SearchFilter.RUNS))
        .hasMessageContaining("position 9").hasMessageContaining("ASC or DESC");
  }

  @Test
  void experimentsTakeTagsAndTheirOwnAttributesOnly() {
    assertThat(SearchFilter.parse("name LIKE 'exp%' AND tags.owner = 'ada'", SearchFilter.EXPERIMENTS)).hasSize(2);
    assertThatThrownBy(() -> SearchFilter.parse("metrics.a > 1", SearchFilter.EXPERIMENTS))
        .hasMessageContaining("'metrics' is not an entity here");
  }

  @Test
  void likePatternsBecomeCaseSensitiveGlobs() {
    assertThat(RunSearch.glob("a%b_c*[")).isEqualTo("a*b?c[*][[]");
  }
}
