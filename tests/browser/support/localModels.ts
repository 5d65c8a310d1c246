import { gzipSync } from 'zlib';

/**
 * Models for endpoints on the `local` image (model servers in processes of
 * the project's environment): a `model.tar.gz` holding only
 * `code/inference.py`, served in script mode (`SAGEMAKER_PROGRAM`), so no
 * model has to be fitted first.
 */

/** An inference script that answers every invocation with its tag and the rows it got, as JSON. */
export function echoScript(tag: string): string {
  return [
    'import json',
    '',
    'def model_fn(model_dir):',
    `    return ${JSON.stringify(tag)}`,
    '',
    'def input_fn(request_body, request_content_type):',
    "    return request_body.decode('utf-8')",
    '',
    'def predict_fn(input_data, model):',
    "    return {'model': model, 'rows': len(input_data.splitlines())}",
    '',
    'def output_fn(prediction, accept):',
    "    return json.dumps(prediction), 'application/json'",
    ''
  ].join('\n');
}

/** An inference script whose model loads (so `/ping` answers) but that fails on every invocation. */
export const FAILING_SCRIPT = [
  'def model_fn(model_dir):',
  "    return 'failing'",
  '',
  'def predict_fn(input_data, model):',
  "    raise RuntimeError('this model fails on every invocation')",
  ''
].join('\n');

/** One ustar header block of a regular file. */
function tarHeader(path: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string): void => {
    header.write(value, offset, length, 'ascii');
  };
  const octal = (offset: number, length: number, value: number): void => {
    field(offset, length, value.toString(8).padStart(length - 1, '0') + '\0');
  };
  field(0, 100, path);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, Math.floor(Date.now() / 1000));
  header.fill(' ', 148, 156); // the checksum counts itself as spaces
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let sum = 0;
  for (const byte of header) {
    sum += byte;
  }
  field(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return header;
}

/** A gzipped tar of these files (path to text). */
export function tarGz(files: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [path, text] of Object.entries(files)) {
    const body = Buffer.from(text, 'utf-8');
    parts.push(tarHeader(path, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

/** The model data of a script-mode model: `code/inference.py`. */
export function scriptModel(script: string): Buffer {
  return tarGz({ 'code/inference.py': script });
}
