package dev.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A request's {@code ExperimentConfig}, checked as SageMaker checks it: each name 1-120 letters,
 * digits and hyphens, starting and ending with a letter or digit.
 *
 * @param experimentName null for the job kind's default experiment
 * @param trialName the group of runs in the experiment, or null
 * @param runName null for the job's name
 */
record ExperimentConfig(String experimentName, String trialName, String trialComponentDisplayName, String runName) {
  static final String FIELD = "ExperimentConfig";
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}");
  private static final Set<String> KNOWN = Set.of("ExperimentName", "TrialName", "TrialComponentDisplayName",
      "RunName");
  static final ExperimentConfig NONE = new ExperimentConfig(null, null, null, null);

  /** The request's config, or {@link #NONE}; a 400 naming the field when it is malformed. */
  static ExperimentConfig parse(JsonNode body) {
    JsonNode n = Fields.object(body, FIELD, "", false);
    if (n == null) {
      return NONE;
    }
    Fields.onlyKnown(n, FIELD, KNOWN);
    return new ExperimentConfig(name(n, "ExperimentName"), name(n, "TrialName"),
        name(n, "TrialComponentDisplayName"), name(n, "RunName"));
  }

  private static String name(JsonNode n, String field) {
    String s = Fields.string(n, field, FIELD, false, 120);
    if (s != null && !NAME.matcher(s).matches()) {
      throw Fields.bad(FIELD + "." + field, "'" + JobRoutes.abbreviate(s) + "' must be 1-120 letters, digits and"
          + " hyphens, starting and ending with a letter or digit");
    }
    return s;
  }
}
