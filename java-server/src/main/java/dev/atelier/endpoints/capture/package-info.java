/**
 * SageMaker's data capture for real-time endpoints. An endpoint config's {@code DataCaptureConfig}
 * ({@link dev.atelier.endpoints.capture.DataCaptureConfig}, checked field by field) turns it on; the
 * endpoints service hands it to the {@link dev.atelier.endpoints.capture.CaptureSink} with {@code
 * configure} when the endpoint goes InService (and {@code forget} on delete), and the invocation
 * router, built with the sink as its {@link dev.atelier.endpoints.router.InvocationCapture}, asks it
 * about each invocation: the sink draws the sample by InitialSamplingPercentage, and only for a
 * sampled one does the router copy the answer's bytes as they stream (up to 6 MB; a longer answer is
 * not captured). A captured invocation only goes into a bounded queue; a writer thread appends it as
 * one line of SageMaker's JSON Lines ({@code captureData.endpointInput/endpointOutput} with
 * observedContentType, mode, data and encoding, CSV or JSON as text for the listed content types,
 * BASE64 otherwise; {@code eventMetadata} with eventId, inferenceId and inferenceTime; {@code
 * eventVersion "0"}) to a spool file below the data directory ({@code dataDir/capture}), and an
 * uploader thread sends each closed file (every 30 s or 1000 records) to {@code
 * <DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/mm-ss-SSS-<uuid>.jsonl}. A full queue drops
 * the record; a store that fails or does not answer leaves the files spooled, tried again every 10
 * s, and uploaded after a restart: an invocation is never slowed or failed by capture. {@code
 * status} gives the panel the endpoint's counts: Captured, Uploaded, Dropped and Pending.
 */
package dev.atelier.endpoints.capture;
