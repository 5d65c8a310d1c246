package dev.atelier.sagemaker;

import com.fasterxml.jackson.databind.JsonNode;

/** One operation of an AWS JSON 1.1 service: the verified caller and the input document give the output. */
@FunctionalInterface
interface Operation {
  /** Who signed the request, and the region they signed for (used in ARNs). */
  record Caller(String owner, String region) {}

  /** @throws AwsException for a refusal in AWS's terms */
  JsonNode apply(Caller caller, JsonNode input);
}
