package dev.atelier.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.core.RemoteApiVersion;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.time.Duration;

/**
 * How Atelier connects to a Docker engine. Requests are unversioned ({@code /containers/json},
 * never {@code /v1.41/containers/json}): an engine answers them in its own API version, so the
 * same client works with Debian's engine 20.10 (API 1.41) and with current Docker (29 refuses
 * any version below 1.44). A version named by the {@code api.version} property (system property or
 * {@code ~/.docker-java.properties}) is deliberately overridden.
 */
public final class DockerClients {
  private DockerClients() {}

  /**
   * A client for the engine at {@code dockerHost}, such as {@code unix:///var/run/docker.sock} or
   * {@code tcp://127.0.0.1:2375}, with no API version pinned.
   */
  public static DockerClient unversioned(String dockerHost) {
    return unversioned(dockerHost, Duration.ofSeconds(120));
  }

  /**
   * As {@link #unversioned(String)}, for calls that may rightly wait long (a job's container
   * followed or waited for until it ends).
   */
  public static DockerClient unversioned(String dockerHost, Duration responseTimeout) {
    DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(dockerHost)
        .withApiVersion(RemoteApiVersion.UNKNOWN_VERSION)
        .build();
    return DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .connectionTimeout(Duration.ofSeconds(5))
        .responseTimeout(responseTimeout)
        .build());
  }
}
