package dev.atelier.kernels;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One Jupyter message as raw frames: the four JSON dicts stay as the exact bytes that were
 * received or will be sent, so relaying never re-encodes a (possibly huge) content frame.
 *
 * @param channel shell, control, stdin or iopub
 * @param msgId the header's msg_id
 * @param msgType the header's msg_type
 */
public record WireMessage(
    String channel,
    String msgId,
    String msgType,
    byte[] header,
    byte[] parentHeader,
    byte[] metadata,
    byte[] content,
    List<byte[]> buffers) {

  static final byte[] DELIMITER = "<IDS|MSG>".getBytes(StandardCharsets.US_ASCII);

  /**
   * Frames to send on a DEALER socket: {@code <IDS|MSG>}, signature, the four dicts, buffers.
   */
  public List<byte[]> toFrames(WireSigner signer) {
    List<byte[]> frames = new ArrayList<>(6 + buffers.size());
    frames.add(DELIMITER);
    frames.add(signer.sign(header, parentHeader, metadata, content).getBytes(StandardCharsets.US_ASCII));
    frames.add(header);
    frames.add(parentHeader);
    frames.add(metadata);
    frames.add(content);
    frames.addAll(buffers);
    return frames;
  }

  /** Index of the delimiter frame, or -1. Identities (ROUTER) or a topic (PUB) may precede it. */
  static int delimiterIndex(List<byte[]> frames) {
    for (int i = 0; i < frames.size(); i++) {
      if (Arrays.equals(frames.get(i), DELIMITER)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * A message of the gateway's own, not parented (its start-up nudges, the statuses it publishes
   * for a kernel that cannot: {@code restarting}, {@code dead}).
   */
  static WireMessage own(String channel, String msgType, String session, byte[] metadata, byte[] content) {
    String header = "{\"msg_id\":\"" + java.util.UUID.randomUUID() + "\",\"msg_type\":\"" + msgType
        + "\",\"username\":\"atelier\",\"session\":\"" + session + "\",\"date\":\""
        + java.time.Instant.now() + "\",\"version\":\"5.3\"}";
    return new WireMessage(channel, "", msgType, header.getBytes(StandardCharsets.UTF_8),
        "{}".getBytes(StandardCharsets.US_ASCII), metadata, content, List.of());
  }

  /** Size in bytes of the payload frames, for buffering limits. */
  public long size() {
    long n = header.length + parentHeader.length + metadata.length + content.length;
    for (byte[] b : buffers) {
      n += b.length;
    }
    return n;
  }
}
