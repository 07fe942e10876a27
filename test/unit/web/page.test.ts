// The page shell: self-contained, data-free, and locked down by its own policy. (How it
// looks and updates is tested in a real browser: test/integration/web.)
import type { Server } from 'node:http';
import { createHash } from 'node:crypto';
import { createApp, listen } from '../../../src/operator/http.js';
import { silentLogger } from '../../../src/runtime/clock.js';
import { statusRouter } from '../../../src/web/index.js';
import { PAGE_HTML } from '../../../src/web/page.js';
import { SCRIPT } from '../../../src/web/page/script.js';
import { STYLE } from '../../../src/web/page/style.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

test('served at / and /status without a token, with a policy that admits only its own style and script', async () => {
  const router = statusRouter({
    state: () => { throw new Error('the shell must not read state'); },
    authenticate: async () => { throw new Error('the shell needs no token'); },
    authorize: async () => false, now: () => 0, log: silentLogger,
  });
  server = await listen(createApp({ live: () => true, ready: () => ({ ok: true, detail: 'ok' }) }, [router]), '127.0.0.1', 0);
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  for (const path of ['/', '/status']) {
    const res = await fetch(base + path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toBe(PAGE_HTML);
    const policy = res.headers.get('content-security-policy')!;
    const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    expect(policy).toContain(`script-src ${sha(SCRIPT)}`);
    expect(policy).toContain(`style-src ${sha(STYLE)}`);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("connect-src 'self'");
  }
});

test('no external assets: nothing is loaded from anywhere but this origin', () => {
  expect(PAGE_HTML).not.toMatch(/https?:\/\//);
  expect(PAGE_HTML).not.toMatch(/<(script|link|img)[^>]+(src|href)="(?!data:)/);
  expect(PAGE_HTML).toContain(`<script>${SCRIPT}</script>`);
  expect(PAGE_HTML).toContain(`<style>${STYLE}</style>`);
});

test('the script parses, asks the API with the bearer token, and never writes data as HTML', () => {
  expect(() => new Function(SCRIPT)).not.toThrow();
  expect(SCRIPT).toContain("fetch('api/v1/pools'");
  expect(SCRIPT).toContain("Authorization: 'Bearer ' + token");
  expect(SCRIPT).toContain('var POLL_MS = 1000;');
  expect(SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
});
