import { IInvokeResult } from './tokens';

/** Content types the invoke box offers for the payload. */
export const CONTENT_TYPES: ReadonlyArray<string> = [
  'text/csv',
  'application/json',
  'text/plain',
  'application/x-npy'
];

/** Types the invoke box offers for the answer. */
export const ACCEPT_TYPES: ReadonlyArray<string> = [
  'application/json',
  'text/csv',
  'text/plain',
  '*/*'
];

/** Largest payload an endpoint takes (SageMaker's 6 MB). */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** A sample payload per content type, for an empty box. */
export function samplePayload(contentType: string): string {
  switch (contentType) {
    case 'application/json':
      return '{"instances": [[0.5, 0.2]]}';
    case 'text/csv':
      return '0.5,0.2';
    default:
      return '';
  }
}

/** How many bytes a text is in UTF-8 (what is sent). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** Why the payload cannot be sent, or null. */
export function payloadError(body: string, contentType: string): string | null {
  const bytes = utf8Length(body);
  if (bytes > MAX_PAYLOAD_BYTES) {
    return `The payload is ${bytes.toLocaleString('en-US')} bytes; an endpoint takes at most 6 MB (${MAX_PAYLOAD_BYTES.toLocaleString('en-US')} bytes)`;
  }
  if (!body.trim()) {
    return 'Give a payload to send';
  }
  if (contentType === 'application/json') {
    try {
      JSON.parse(body);
    } catch (error) {
      return `The payload is not JSON: ${(error as Error).message}`;
    }
  }
  return null;
}

/** The answer as it is shown: JSON indented, anything else as it came. */
export function displayBody(result: IInvokeResult): string {
  if (result.ok && result.contentType.includes('json')) {
    try {
      return JSON.stringify(JSON.parse(result.body), null, 2);
    } catch {
      return result.body;
    }
  }
  return result.body;
}
