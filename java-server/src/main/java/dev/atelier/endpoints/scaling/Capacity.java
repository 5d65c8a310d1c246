package dev.atelier.endpoints.scaling;

/** What the autoscaler asks of the endpoints service: a variant's new instance count. */
@FunctionalInterface
public interface Capacity {
  /**
   * Sets the variant's desired instance count (as UpdateEndpointWeightsAndCapacities does).
   *
   * @param reason why, for the endpoint's events and log
   */
  void setInstanceCount(String endpoint, String variant, int count, String reason);
}
