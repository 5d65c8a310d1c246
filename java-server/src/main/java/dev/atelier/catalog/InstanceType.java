package dev.atelier.catalog;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;

/**
 * A row of the instance type catalog: the limits an instance of this type runs with and its price.
 *
 * @param name SageMaker's name, such as {@code ml.t3.medium}
 * @param vcpus CPU limit in cores
 * @param memoryBytes memory limit
 * @param gpus GPUs the type needs from the host
 * @param pricePerHour price per instance-hour, for cost display
 */
public record InstanceType(String name, double vcpus, long memoryBytes, int gpus, double pricePerHour, String description) {

  public ObjectNode model() {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("name", name);
    n.put("vcpus", vcpus);
    n.put("memory_bytes", memoryBytes);
    n.put("memory_gib", memoryBytes / (double) (1L << 30));
    n.put("gpus", gpus);
    n.put("price_per_hour", pricePerHour);
    n.put("description", description);
    return n;
  }
}
