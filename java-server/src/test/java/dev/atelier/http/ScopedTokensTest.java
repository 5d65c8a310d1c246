package dev.atelier.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.http.ScopedTokens.Scope;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scoped tokens: signed with the server's token, refused when altered or from another server, admitted by prefix. */
class ScopedTokensTest {
  private final ScopedTokens tokens = new ScopedTokens("server-token-1");
  private final Scope run = new Scope("mlflow-run", Map.of("experiment", "3", "run", "abc"));

  @Test
  void aTokenCarriesItsScopeAndIsTheSameEachTime() {
    String t = tokens.issue(run);
    assertThat(tokens.verify(t)).isEqualTo(run);
    assertThat(tokens.issue(run)).isEqualTo(t);
    assertThat(new ScopedTokens("server-token-1").verify(t)).as("a restarted server with the same token").isEqualTo(run);
  }

  @Test
  void anAlteredTokenOrOneOfAnotherServerIsNotAScopedToken() {
    String t = tokens.issue(run);
    String other = tokens.issue(new Scope("mlflow-run", Map.of("experiment", "3", "run", "xyz")));
    String payloadOfOther = other.substring(0, other.lastIndexOf('.'));
    String signature = t.substring(t.lastIndexOf('.'));
    assertThat(tokens.verify(payloadOfOther + signature)).as("another scope under this signature").isNull();
    assertThat(tokens.verify(t.substring(0, t.length() - 2))).isNull();
    assertThat(new ScopedTokens("server-token-2").verify(t)).isNull();
    assertThat(tokens.verify("server-token-1")).isNull();
    assertThat(tokens.verify("atls1.")).isNull();
    assertThat(tokens.verify("atls1.%%%.###")).isNull();
    assertThat(tokens.verify(null)).isNull();
  }

  @Test
  void aScopeIsAdmittedOnlyUnderThePrefixesOfItsAudience() {
    tokens.admit("mlflow-run", "/atelier/mlflow/");
    assertThat(tokens.admits(run, "/atelier/mlflow/api/2.0/mlflow/runs/get")).isTrue();
    assertThat(tokens.admits(run, "/atelier/api/training-jobs")).isFalse();
    assertThat(tokens.admits(run, "/atelier/mlflowx")).isFalse();
    assertThat(tokens.admits(new Scope("hub-user", Map.of()), "/atelier/mlflow/api/2.0/mlflow/runs/get")).isFalse();
  }
}
