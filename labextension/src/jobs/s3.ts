/** Helpers for `s3://bucket/key` URIs. */

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/.*)?$/;

/** True for `s3://bucket` and `s3://bucket/any/key`. */
export function isS3Uri(value: string): boolean {
  return S3_URI.test(value.trim());
}

/** True when the URI names a prefix (ends with "/" or has no key). */
export function isS3Prefix(uri: string): boolean {
  const match = S3_URI.exec(uri.trim());
  if (!match) {
    return false;
  }
  const key = (match[2] ?? '').replace(/^\//, '');
  return key === '' || key.endsWith('/');
}

/** The last part of a URI's key, for labels and file names. */
export function s3BaseName(uri: string): string {
  const trimmed = uri.replace(/\/+$/, '');
  const at = trimmed.lastIndexOf('/');
  return at >= 0 ? trimmed.slice(at + 1) : trimmed;
}

/** A file name safe as an S3 key part: no folders, no odd characters. */
export function safeKeyName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '');
  return cleaned || 'file';
}

/** Where a local file is uploaded: `s3://<bucket>/data/<file>`. */
export function uploadUri(bucket: string, fileName: string): string {
  return `s3://${bucket}/data/${safeKeyName(fileName)}`;
}

/** The default output path of a new job: `s3://<bucket>/jobs/`. */
export function defaultOutputPath(bucket: string): string {
  return `s3://${bucket}/jobs/`;
}
