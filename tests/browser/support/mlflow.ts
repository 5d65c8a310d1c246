import { APIRequestContext } from '@playwright/test';
import { deflateSync } from 'zlib';

import { expect } from './fixtures';

/** MLflow's REST API of the stack, with the stack's token. */
export class Mlflow {
  constructor(
    private readonly request: APIRequestContext,
    private readonly base: string,
    private readonly token: string
  ) {}

  async post<T>(path: string, body: unknown): Promise<T> {
    const response = await this.request.post(`${this.base}/atelier/mlflow/api/2.0/mlflow/${path}`, {
      headers: { Authorization: `token ${this.token}` },
      data: body
    });
    expect(response.status(), `POST ${path}: ${await response.text()}`).toBe(200);
    return (await response.json()) as T;
  }

  async experiment(name: string): Promise<string> {
    const { experiment_id } = await this.post<{ experiment_id: string }>('experiments/create', { name });
    return experiment_id;
  }

  async run(experimentId: string, runName: string, tags: Record<string, string> = {}): Promise<string> {
    const { run } = await this.post<{ run: { info: { run_id: string } } }>('runs/create', {
      experiment_id: experimentId,
      run_name: runName,
      start_time: Date.now(),
      tags: Object.entries(tags).map(([key, value]) => ({ key, value }))
    });
    return run.info.run_id;
  }

  /** A metric's values at steps 0, 1, ... in batches of 1,000 (MLflow's limit). */
  async series(runId: string, key: string, values: ReadonlyArray<number>): Promise<void> {
    for (let from = 0; from < values.length; from += 1000) {
      await this.post('runs/log-batch', {
        run_id: runId,
        metrics: values.slice(from, from + 1000).map((value, k) => ({
          key,
          value,
          step: from + k,
          timestamp: 1_700_000_000_000 + (from + k) * 1000
        }))
      });
    }
  }

  async params(runId: string, params: Record<string, string>): Promise<void> {
    await this.post('runs/log-batch', {
      run_id: runId,
      params: Object.entries(params).map(([key, value]) => ({ key, value }))
    });
  }

  async finish(runId: string): Promise<void> {
    await this.post('runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
  }

  /** Upload an artifact as MLflow's client does (PUT to the artifact route). */
  async artifact(experimentId: string, runId: string, path: string, body: Buffer, type: string): Promise<void> {
    const url = `${this.base}/atelier/mlflow/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${path}`;
    const response = await this.request.put(url, {
      headers: { Authorization: `token ${this.token}`, 'Content-Type': type },
      data: body
    });
    expect(response.status(), `PUT ${path}: ${await response.text()}`).toBe(200);
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) {
    c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real PNG: a width x height RGB gradient. */
export function gradientPng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = Math.round((255 * x) / width);
      row[2 + x * 3] = Math.round((255 * y) / height);
      row[3 + x * 3] = 160;
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0))
  ]);
}
