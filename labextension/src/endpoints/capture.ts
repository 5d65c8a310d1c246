import { ICaptureData, ICaptureRecord, ICaptureStatus } from './tokens';

/** How many capture records the detail shows. */
export const CAPTURE_RECORDS = 20;
/** The most characters of a captured body shown in the table. */
export const PREVIEW_CHARS = 160;

/** A captured body for the table: its text cut short, or its size when it is binary. */
export function capturePreview(data: ICaptureData | null | undefined): string {
  if (!data) {
    return '—';
  }
  const body = data.data ?? '';
  if ((data.encoding ?? '').toUpperCase() === 'BASE64') {
    // Four base64 characters are three bytes, less the padding.
    const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
    const bytes = Math.max(0, (body.length / 4) * 3 - padding);
    return `${bytes} byte${bytes === 1 ? '' : 's'} (binary)`;
  }
  const oneLine = body.replace(/\s+/g, ' ').trim();
  return oneLine.length > PREVIEW_CHARS
    ? `${oneLine.slice(0, PREVIEW_CHARS - 1)}…`
    : oneLine || '(empty)';
}

/** A stable key of a record for React. */
export function recordKey(record: ICaptureRecord, index: number): string {
  return record.eventMetadata?.eventId ?? `record-${index}`;
}

/** The capture's state in a line: "Capturing 50% to s3://…", "Not capturing". */
export function captureSummary(status: ICaptureStatus | null): string {
  if (!status) {
    return 'Reading the data capture…';
  }
  if (!status.EnableCapture) {
    return 'Not capturing: the endpoint config has no DataCaptureConfig with EnableCapture.';
  }
  const percent = status.CurrentSamplingPercentage;
  const share =
    typeof percent === 'number' ? `${percent}% of invocations` : 'invocations';
  return `Capturing ${share} to ${status.DestinationS3Uri ?? 'its destination'}`;
}

/** Bytes as MiB with one decimal ("12.5 MiB"). */
function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The spool's use against its cap: "12.5 MiB of 1024.0 MiB", "full: …" at the cap. */
export function spoolUse(status: ICaptureStatus | null): string {
  if (!status || typeof status.SpoolBytes !== 'number') {
    return '—';
  }
  const cap = status.SpoolMaxBytes;
  if (typeof cap !== 'number' || cap <= 0) {
    return mib(status.SpoolBytes);
  }
  const use = `${mib(status.SpoolBytes)} of ${mib(cap)}`;
  // Full once the next record of a typical size would not fit: shown as a warning in words.
  return status.SpoolBytes >= cap * 0.99 ? `full: ${use}` : use;
}
