// HTTP plumbing of the client: reading a bounded body, parsing it, racing an abort signal.
import type { IncomingMessage } from 'node:http';
import { MonitorError } from '../../errors';
import { oneLine } from './errors';
import { MAX_BODY_BYTES } from './limits';

export function isSuccess(res: IncomingMessage): boolean {
  const s = res.statusCode ?? 0;
  return s >= 200 && s < 300;
}

export function readBody(res: IncomingMessage, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onAbort = () => resolve('');
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (fn: () => void) => {
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.destroy();
        settle(() => reject(new MonitorError(`Docker API reply larger than ${MAX_BODY_BYTES >> 20} MiB`, 'internal')));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => settle(() => resolve(Buffer.concat(chunks).toString('utf8'))));
    res.on('error', (err) =>
      settle(() =>
        reject(new MonitorError(`Docker API reply cut short: ${oneLine(err.message)}`, 'docker-unavailable')),
      ),
    );
    res.on('aborted', () => settle(() => reject(new MonitorError('Docker API reply cut short', 'docker-unavailable'))));
  });
}

export function parseJson<T>(text: string, path: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new MonitorError(`Docker API returned invalid JSON for GET ${path.split('?')[0]}`, 'internal');
  }
}

/** Resolves with the promise's value, or null if `signal` aborts first. */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T | null> {
  if (signal.aborted) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(null);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
