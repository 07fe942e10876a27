// The few raw API calls the testbed makes before anyone else may use it (readiness,
// the fake node). Deliberately not the operator's Kubernetes client: the testbed must
// not depend on the code it is used to test.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { Pki } from './pki.js';

export interface ApiResponse {
  status: number;
  body: string;
}

export class BootstrapClient {
  private readonly tls: { ca: Buffer; cert: Buffer; key: Buffer };

  constructor(private readonly server: string, pki: Pki) {
    this.tls = {
      ca: readFileSync(pki.caCert),
      cert: readFileSync(pki.adminCert),
      key: readFileSync(pki.adminKey),
    };
  }

  call(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, this.server), {
        method,
        ...this.tls,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        timeout: 5000,
      }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => { text += chunk; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }
}

/** Polls `probe` until it returns true; rethrows nothing, reports the last failure. */
export async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'never answered';
  for (;;) {
    try {
      if (await probe()) return;
      last = 'not yet';
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${last})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
