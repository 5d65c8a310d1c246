package dev.atelier.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The server's whole configuration, validated once at start. Built by {@link ConfigLoader} from
 * defaults, then a config file, then system properties, then environment variables, then
 * command-line options.
 *
 * @param host interface to listen on (loopback by default)
 * @param port port to listen on, 0 for any free port
 * @param token the token every request must carry
 * @param dataDir where Atelier keeps its state and logs
 * @param python interpreter of the environment whose kernelspecs the local agent offers
 * @param rootDir the notebook root: kernels start here unless asked otherwise
 * @param readyFile written with the port once the server listens (null: not written)
 * @param kernelLaunchTimeout how long a kernel may take to answer its first request
 * @param kernelRestartLimit consecutive automatic restarts of a kernel that dies (jupyter_client's
 *     {@code restart_limit}) before it is left dead; 0 never restarts automatically
 * @param cullIdleTimeout idle kernels are shut down after this long; zero disables culling
 * @param cullInterval how often idle kernels are looked for
 * @param cullConnected whether kernels with open connections may be culled
 * @param cullBusy whether busy kernels may be culled
 * @param replayBufferBytes output kept per disconnected client session for replay on reconnect
 * @param maxMessageBytes the largest single WebSocket message accepted or sent
 * @param clientBufferBytes output one connected client may leave unread before it is closed
 * @param clientDrainTimeout how long a client over {@code clientBufferBytes} may go without
 *     reading any of it before it is closed
 * @param websocketCompression whether kernel WebSockets accept permessage-deflate when a client offers it
 * @param frontDoorPort port of the front door (the URL users open), -1 when there is none
 * @param jupyterUrl where the front door finds jupyter_server (loopback)
 * @param baseUrl jupyter_server's base URL, such as {@code /user/ada/} under JupyterHub
 * @param instanceTypesFile a catalog of instance types replacing the built-in one (null: built in)
 * @param defaultInstanceType the type of a notebook that names none (null: the catalog's default)
 * @param defaultImage the image of a notebook that names none: {@code auto} (a built Atelier image when
 *     Docker answers, else {@code local}), {@code local} (no container) or a Docker image
 * @param dockerHost the Docker engine, such as {@code unix:///var/run/docker.sock} (empty: no Docker)
 * @param instanceStopGrace how long an instance with no kernels left keeps running
 * @param keepInstancesOnStop whether a stopping server leaves its Docker instances running for the next to adopt
 * @param cgroupParent where process instances get their cgroups: empty for {@code atelier} in the
 *     server's own cgroup, an absolute cgroup path, or {@code none} for no limits
 * @param databaseUrl JDBC URL of the metadata database (empty: SQLite at {@code dataDir/atelier.db})
 * @param databaseUser user for {@code databaseUrl} (empty: none or in the URL)
 * @param databasePassword password for {@code databaseUrl}
 * @param s3Endpoint an external S3 or MinIO (null: the embedded S3 server under {@code dataDir/s3})
 * @param s3Region the region requests are signed for
 * @param s3AccessKey access key for {@code s3Endpoint} (generated for the embedded server)
 * @param s3SecretKey secret key for {@code s3Endpoint} (generated for the embedded server)
 * @param s3PathStyle whether buckets are addressed by path rather than by host name
 * @param s3Port port of the embedded S3 server, 0 for any free port
 * @param defaultBucket the bucket jobs write to when a request names no output location
 * @param maxUploadBytes the largest object one upload through the API may store
 * @param idleCheckInterval how often the idle rules of instance types are applied
 * @param jobStopGrace how long a stopped job's container has after SIGTERM before it is killed
 * @param jobDownloadRetry how long a job keeps retrying the download of its input data
 * @param jobUploadRetry how long a job keeps retrying the upload of its model and output
 * @param captureUpload how old a data capture spool file gets before it is uploaded
 * @param captureSpoolMaxBytes the most bytes data capture's spool files may hold on disk
 * @param endpointMinute the length of the "minute" endpoint metrics and autoscaling count in:
 *     60 s, shorter only for tests and benchmarks (a scaling cycle in seconds)
 * @param awsAccountId the 12-digit account id in the ARNs of the SageMaker-compatible API
 */
public record AtelierConfig(
    String host,
    int port,
    String token,
    Path dataDir,
    String python,
    Path rootDir,
    Path readyFile,
    Duration kernelLaunchTimeout,
    int kernelRestartLimit,
    Duration cullIdleTimeout,
    Duration cullInterval,
    boolean cullConnected,
    boolean cullBusy,
    long replayBufferBytes,
    int maxMessageBytes,
    long clientBufferBytes,
    Duration clientDrainTimeout,
    boolean websocketCompression,
    int frontDoorPort,
    java.net.URI jupyterUrl,
    String baseUrl,
    Path instanceTypesFile,
    String defaultInstanceType,
    String defaultImage,
    String dockerHost,
    Duration instanceStopGrace,
    boolean keepInstancesOnStop,
    String cgroupParent,
    String databaseUrl,
    String databaseUser,
    String databasePassword,
    java.net.URI s3Endpoint,
    String s3Region,
    String s3AccessKey,
    String s3SecretKey,
    boolean s3PathStyle,
    int s3Port,
    String defaultBucket,
    long maxUploadBytes,
    Duration idleCheckInterval,
    Duration jobStopGrace,
    Duration jobDownloadRetry,
    Duration jobUploadRetry,
    Duration captureUpload,
    long captureSpoolMaxBytes,
    Duration endpointMinute,
    String awsAccountId) {

  /** Whether the server also serves the front door. */
  public boolean frontDoorEnabled() {
    return frontDoorPort >= 0;
  }


  /** Whether objects live in the embedded S3 server rather than an external one. */
  public boolean embeddedS3() {
    return s3Endpoint == null;
  }

  /** Whether idle kernel culling is on. */
  public boolean cullingEnabled() {
    return !cullIdleTimeout.isZero();
  }
}
