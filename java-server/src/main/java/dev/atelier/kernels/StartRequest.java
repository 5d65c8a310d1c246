package dev.atelier.kernels;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a kernel start asks of its instance's agent: the kernel's environment (the client's, with
 * what Atelier sets itself), its working directory, its signing key, and how long it may take.
 *
 * @param env the kernel's environment, in the order it was built
 */
record StartRequest(Map<String, String> env, String cwd, String key, Duration timeout) {
  /** The bounds of a client's {@code KERNEL_LAUNCH_TIMEOUT}, in seconds; outside them the configured one applies. */
  static final double MIN_TIMEOUT_SECONDS = 1;
  static final double MAX_TIMEOUT_SECONDS = 3600;

  /**
   * @param clientEnv the start request's environment (KERNEL_* and the variables jupyter_server forwards)
   * @param notebookPath the kernel's notebook relative to the root, or null
   * @param apiUrl where notebook code reaches Atelier's API, or null while the server does not listen yet
   */
  static StartRequest of(String kernelId, Map<String, String> clientEnv, String notebookPath, String instanceType,
      String apiUrl, String token, Path root, Duration configuredTimeout, SecureRandom random) {
    byte[] k = new byte[32];
    random.nextBytes(k);
    Map<String, String> env = new LinkedHashMap<>(clientEnv);
    env.put("KERNEL_ID", kernelId);
    // How notebook code (the atelier package) reaches this server; set here, never taken from the client.
    if (apiUrl != null) {
      env.put("ATELIER_API_URL", apiUrl);
      env.put("ATELIER_TOKEN", token);
    }
    // `import mlflow` logs to this server with no setup. The token is the server's for now, as
    // ATELIER_TOKEN; with users of their own (the hub) it becomes one scoped to the kernel's user.
    env.putAll(dev.atelier.http.TrackingEnvironment.of(apiUrl, token));
    env.put("ATELIER_ROOT_DIR", root.toString());
    env.put("ATELIER_DEFAULT_INSTANCE_TYPE", instanceType);
    if (notebookPath != null) {
      // The notebook as decided here: the agent keeps it for a later server's adoption.
      env.put("ATELIER_NOTEBOOK_PATH", notebookPath);
    }
    return new StartRequest(env, workingDir(clientEnv.get("KERNEL_WORKING_DIR"), root).toString(),
        HexFormat.of().formatHex(k), launchTimeout(clientEnv, configuredTimeout));
  }

  /** The agent's {@code start} request for the kernel. */
  Map<String, Object> agentRequest(String kernelId, String specName) {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("kernel_id", kernelId);
    request.put("kernelspec", specName);
    request.put("key", key);
    request.put("env", env);
    request.put("cwd", cwd);
    return request;
  }

  /** The client's KERNEL_LAUNCH_TIMEOUT (seconds) when it is a number within bounds, else the configured one. */
  static Duration launchTimeout(Map<String, String> env, Duration configured) {
    String fromClient = env.get("KERNEL_LAUNCH_TIMEOUT");
    if (fromClient != null) {
      try {
        double s = Double.parseDouble(fromClient);
        if (s >= MIN_TIMEOUT_SECONDS && s <= MAX_TIMEOUT_SECONDS) {
          return Duration.ofMillis((long) (s * 1000));
        }
      } catch (NumberFormatException e) {
        // fall through to the configured value
      }
    }
    return configured;
  }

  /** The requested working directory when it is a directory under the root, else the root. */
  static Path workingDir(String requested, Path root) {
    if (requested != null && !requested.isBlank()) {
      Path p = Path.of(requested).toAbsolutePath().normalize();
      if (p.startsWith(root) && Files.isDirectory(p)) {
        return p;
      }
    }
    return root;
  }
}
