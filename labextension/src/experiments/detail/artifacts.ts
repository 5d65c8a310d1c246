/** How the run detail shows an artifact. */
export type PreviewKind = 'image' | 'text' | 'none';

const IMAGES = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'bmp']);
const TEXTS = new Set([
  'txt',
  'log',
  'md',
  'json',
  'yaml',
  'yml',
  'csv',
  'tsv',
  'py',
  'sh',
  'cfg',
  'ini',
  'toml',
  'xml',
  'html',
  'js',
  'ts',
  'r',
  'sql',
  'jsonl',
  'out',
  'err'
]);
const TEXT_NAMES = new Set([
  'MLmodel',
  'requirements.txt',
  'conda.yaml',
  'LICENSE',
  'README'
]);

/** The largest file shown as text (bigger ones are downloaded). */
export const TEXT_PREVIEW_BYTES = 1024 * 1024;
/** The largest image shown. */
export const IMAGE_PREVIEW_BYTES = 20 * 1024 * 1024;

/** How a file is previewed, from its name (and size, where known). */
export function previewKind(path: string, size?: number | string): PreviewKind {
  const name = path.split('/').pop() ?? '';
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  const bytes = size === undefined || size === '' ? 0 : Number(size);
  if (IMAGES.has(ext)) {
    return bytes > IMAGE_PREVIEW_BYTES ? 'none' : 'image';
  }
  if (TEXTS.has(ext) || TEXT_NAMES.has(name)) {
    return bytes > TEXT_PREVIEW_BYTES ? 'none' : 'text';
  }
  return 'none';
}

/** `a/b` and `c` as `a/b/c`; the root is "". */
export function joinPath(folder: string, name: string): string {
  return folder ? `${folder}/${name}` : name;
}

/** The crumbs of a folder: [["", "artifacts"], ["a", "a"], ["a/b", "b"]]. */
export function crumbs(folder: string): Array<[string, string]> {
  const out: Array<[string, string]> = [['', 'artifacts']];
  const parts = folder.split('/').filter(Boolean);
  parts.forEach((part, i) => out.push([parts.slice(0, i + 1).join('/'), part]));
  return out;
}

/** A byte count for people: 1.2 kB, 3.4 MB. */
export function formatBytes(size: number | string | undefined): string {
  if (size === undefined || size === '') {
    return '';
  }
  const n = Number(size);
  if (!Number.isFinite(n)) {
    return '';
  }
  if (n < 1000) {
    return `${n} B`;
  }
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  do {
    v /= 1000;
    u++;
  } while (v >= 1000 && u < units.length - 1);
  return `${v.toFixed(1)} ${units[u]}`;
}
