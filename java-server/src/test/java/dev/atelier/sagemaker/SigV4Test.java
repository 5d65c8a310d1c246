package dev.atelier.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SigV4Test {
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  private static final SigV4.Keys KEYS = id -> id.equals("AKIDEXAMPLE") ? new SigV4.Key("ada", SECRET) : null;
  /** When botocore signed the requests below. */
  private static final Instant SIGNED = Instant.parse("2026-12-04T17:56:27Z");

  private static SigV4.Request request(String method, String path, String query, byte[] body, String... headers) {
    Map<String, List<String>> h = new LinkedHashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      h.put(headers[i].toLowerCase(java.util.Locale.ROOT), List.of(headers[i + 1]));
    }
    return new SigV4.Request(method, path, query, h, body);
  }

  private static SigV4.Request describe(String authorization, String amzDate) {
    return request("POST", "/atelier/api/sagemaker", "",
        "{\"TrainingJobName\": \"my-job\"}".getBytes(StandardCharsets.UTF_8),
        "Host", "127.0.0.1:8890", "Content-Type", "application/x-amz-json-1.1",
        "X-Amz-Target", "SageMaker.DescribeTrainingJob", "X-Amz-Date", amzDate, "Authorization", authorization);
  }

  private static final String BOTOCORE_DESCRIBE = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261204/eu-west-1/sagemaker/"
      + "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
      + "Signature=34d65d94be071f7011f946078c973177f2c4c4b45ec8daf076261efd32ee0792";

  @Test
  void awsTestSuiteGetVanillaSignsAsPublished() {
    SigV4.Request r = request("GET", "/", "", new byte[0], "Host", "example.amazonaws.com",
        "X-Amz-Date", "20150830T123600Z");
    assertThat(SigV4.signature(r, List.of("host", "x-amz-date"), "20150830T123600Z", "20150830", "us-east-1",
        "service", SECRET)).isEqualTo("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  }

  @Test
  void botocoreSignatureOfAGetIsAccepted() {
    SigV4.Request r = request("GET", "/", "", new byte[0], "Host", "example.amazonaws.com",
        "X-Amz-Date", "20261204T175627Z", "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261204/"
            + "us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, "
            + "Signature=d1d241c86fb68b928d7cdf5c6096738a1c45afb327874f1301adb589facb2865");
    assertThat(SigV4.verify(r, Set.of("service"), SIGNED, KEYS).owner()).isEqualTo("ada");
  }

  @Test
  void botocoreSignatureOfASageMakerCallGivesTheOwnerAndTheSignedRegion() {
    SigV4.Verified v = SigV4.verify(describe(BOTOCORE_DESCRIBE, "20261204T175627Z"), Set.of("sagemaker"),
        SIGNED.plusSeconds(60), KEYS);
    assertThat(v).isEqualTo(new SigV4.Verified("ada", "AKIDEXAMPLE", "eu-west-1", "sagemaker"));
  }

  @Test
  void botocoreSignatureOverAnEncodedPathWithDotSegmentsAndAQueryIsAccepted() {
    SigV4.Request r = request("POST", "/a%20b/../c/", "b=2&a=1", "{}".getBytes(StandardCharsets.UTF_8),
        "Host", "127.0.0.1:8890", "X-Amz-Target", "Logs_20140328.GetLogEvents", "X-Amz-Date", "20261204T175627Z",
        "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261204/us-east-1/logs/aws4_request, "
            + "SignedHeaders=host;x-amz-date;x-amz-target, "
            + "Signature=3b07ad027356e07be2d74e3b2eaf2a68f72d94baf6eafff135df51a404d8e424");
    assertThat(SigV4.verify(r, Set.of("logs"), SIGNED, KEYS).service()).isEqualTo("logs");
  }

  @Test
  void changedBodyFailsWithInvalidSignature() {
    SigV4.Request r = describe(BOTOCORE_DESCRIBE, "20261204T175627Z");
    SigV4.Request changed = new SigV4.Request(r.method(), r.rawPath(), r.rawQuery(), r.headers(),
        "{\"TrainingJobName\": \"other\"}".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> SigV4.verify(changed, Set.of("sagemaker"), SIGNED, KEYS))
        .isInstanceOfSatisfying(AwsException.class, e -> {
          assertThat(e.code()).isEqualTo("InvalidSignatureException");
          assertThat(e.getMessage()).contains("does not match the signature you provided");
        });
  }

  @Test
  void dateOutsideFifteenMinutesFailsAsExpiredOrNotYetCurrent() {
    assertThatThrownBy(() -> SigV4.verify(describe(BOTOCORE_DESCRIBE, "20261204T175627Z"), Set.of("sagemaker"),
        SIGNED.plusSeconds(15 * 60 + 1), KEYS))
        .isInstanceOfSatisfying(AwsException.class, e -> {
          assertThat(e.code()).isEqualTo("InvalidSignatureException");
          assertThat(e.getMessage()).startsWith("Signature expired: 20261204T175627Z is now earlier than");
        });
    assertThatThrownBy(() -> SigV4.verify(describe(BOTOCORE_DESCRIBE, "20261204T175627Z"), Set.of("sagemaker"),
        SIGNED.minusSeconds(15 * 60 + 1), KEYS))
        .isInstanceOfSatisfying(AwsException.class, e -> assertThat(e.getMessage()).startsWith("Signature not yet current"));
  }

  @Test
  void refusalsCarryAwsCodes() {
    assertThat(code(describe("", "20261204T175627Z"), "sagemaker")).isEqualTo("MissingAuthenticationTokenException");
    assertThat(code(describe(BOTOCORE_DESCRIBE.replace("AKIDEXAMPLE", "AKIDUNKNOWN"), "20261204T175627Z"),
        "sagemaker")).isEqualTo("UnrecognizedClientException");
    assertThat(code(describe("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261204/eu-west-1/sagemaker/aws4_request",
        "20261204T175627Z"), "sagemaker")).isEqualTo("IncompleteSignature");
    assertThat(code(describe("Basic dXNlcjpwYXNz", "20261204T175627Z"), "sagemaker")).isEqualTo("IncompleteSignature");
    assertThat(code(describe(BOTOCORE_DESCRIBE, "20261204T175627Z"), "logs")).isEqualTo("InvalidSignatureException");
    assertThat(code(describe(BOTOCORE_DESCRIBE.replace("content-type;host;", "content-type;"), "20261204T175627Z"),
        "sagemaker")).isEqualTo("IncompleteSignature");
  }

  @Test
  void canonicalPathIsNormalizedAndEncodedAgainAsBotocoreDoes() {
    assertThat(SigV4.encodePath(SigV4.removeDotSegments("/a%20b/./c/../d//e/"))).isEqualTo("/a%2520b/d/e/");
    assertThat(SigV4.removeDotSegments("/")).isEqualTo("/");
    assertThat(SigV4.canonicalQuery("b=2&a=1&a=0&c")).isEqualTo("a=0&a=1&b=2&c=");
  }

  private static String code(SigV4.Request r, String service) {
    try {
      SigV4.verify(r, Set.of(service), SIGNED, KEYS);
      return "accepted";
    } catch (AwsException e) {
      return e.code();
    }
  }
}
