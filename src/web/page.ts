// The live status page: one self-contained HTML document (inline style and script, no
// external assets) served at / and /status. The document itself holds no data and needs
// no token; the script fetches everything from the JSON API with the viewer's bearer
// token (see api.ts for who sees what). Its Content-Security-Policy allows only the
// page's own style and script (by hash) and requests to this origin.
import { createHash } from 'node:crypto';
import express from 'express';
import { SCRIPT } from './page/script.js';
import { STYLE } from './page/style.js';

export const PAGE_PATHS = ['/', '/status'];

const BODY = `
<header>
  <h1>syncpool</h1>
  <span class="totals" id="totals"></span>
  <span class="spacer"></span>
  <span class="viewer" id="viewer"></span>
  <span class="updated" id="updated">connecting…</span>
  <button type="button" id="forget" hidden>Forget token</button>
</header>
<p class="notice" id="notice" role="status"></p>
<form class="login" id="login" hidden>
  <h2>Sign in with a bearer token</h2>
  <p id="login-why"></p>
  <p>Every pool shown is one whose namespace you may <code>list synctasks</code> in. Paste a token the
    cluster accepts, e.g. from <code>kubectl create token &lt;service-account&gt;</code>, or open this page
    as <code>…/#token=&lt;token&gt;</code>. It is kept in this tab only.</p>
  <div class="row">
    <input id="token" type="password" autocomplete="off" spellcheck="false" placeholder="bearer token" aria-label="bearer token">
    <button type="submit">Show pools</button>
  </div>
</form>
<main id="pools" aria-live="polite"></main>
`;

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>syncpool status</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>${BODY}<script>${SCRIPT}</script>
</body>
</html>
`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export const PAGE_POLICY = [
  "default-src 'none'",
  `script-src ${hash(SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function statusPageRouter(): express.Router {
  const router = express.Router();
  router.get(PAGE_PATHS, (_req, res) => {
    res.set({
      'Content-Security-Policy': PAGE_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    }).type('html').send(PAGE_HTML);
  });
  return router;
}
