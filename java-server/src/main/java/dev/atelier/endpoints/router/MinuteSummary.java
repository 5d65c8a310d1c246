package dev.atelier.endpoints.router;

/**
 * One closed minute of a variant (minutes since the epoch): its counts (the abandoned ones: callers
 * that went away before the whole answer, neither an error nor a success), and its latencies in
 * microseconds (NaN in a minute without an answer from the model).
 */
record MinuteSummary(long minute, long invocations, long clientErrors, long serverErrors, long abandoned,
    double modelMean, double modelP50, double modelP99,
    double overheadMean, double overheadP50, double overheadP99) {

  static MinuteSummary empty(long minute) {
    return new MinuteSummary(minute, 0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
        Double.NaN);
  }
}
