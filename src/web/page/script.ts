// The status page's script, inlined into the page (its hash is in the page's
// Content-Security-Policy). It polls GET /api/v1/pools every second with the viewer's
// bearer token and redraws; everything it shows comes from that answer. The token is
// taken from the URL fragment (#token=..., never sent to any server; removed from the
// address bar at once) or the form, and kept in sessionStorage: it lasts as long as the
// tab. Data is written with textContent only, never parsed as HTML.
//
// Plain ES2017 in a raw string (escapes reach the browser as written): no backticks, and
// no dollar-brace but the one that puts POLL_MS in.
export const POLL_MS = 1000;

export const SCRIPT = String.raw`
'use strict';
(function () {
  var TOKEN_KEY = 'syncpool.token';
  var POLL_MS = ${POLL_MS};
  var STALE_MS = 3000;
  var lastOkMs = 0;
  var timer = null;

  var byId = function (id) { return document.getElementById(id); };

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = String(v);
      else e.setAttribute(k, String(v));
    });
    (children || []).forEach(function (c) {
      if (c === undefined || c === null || c === false) return;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  /** 42s, 3m 05s, 2h 07m, 3d 04h */
  function duration(seconds) {
    if (seconds === undefined || seconds === null) return '';
    var s = Math.max(0, Math.round(seconds));
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm ' + pad(s % 60) + 's';
    if (s < 86400) return Math.floor(s / 3600) + 'h ' + pad(Math.floor(s % 3600 / 60)) + 'm';
    return Math.floor(s / 86400) + 'd ' + pad(Math.floor(s % 86400 / 3600)) + 'h';
  }

  function secondsBetween(fromIso, toIso) { return (Date.parse(toIso) - Date.parse(fromIso)) / 1000; }

  function clock(ms) {
    var d = new Date(ms);
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }

  function bar(fraction, extraClass) {
    var fill = el('div', { class: 'fill' });
    // Set through the CSSOM: the page's policy allows no inline style attributes.
    fill.style.width = Math.round(Math.min(1, Math.max(0, fraction)) * 100) + '%';
    return el('div', { class: 'bar' + (extraClass ? ' ' + extraClass : '') }, [fill]);
  }

  /** headings: a title each; one ending in '#' is a number column (right-aligned, the '#' dropped). */
  function table(kind, headings, rows) {
    return el('table', { class: kind }, [
      el('thead', {}, [el('tr', {}, headings.map(function (h) {
        var num = h.slice(-1) === '#' && h.length > 1;
        return el('th', { class: num ? 'num' : '', text: num ? h.slice(0, -1) : h });
      }))]),
      el('tbody', {}, rows),
    ]);
  }

  function taskCell(name, source, syncType) {
    return el('td', { class: 'task' }, [name || '(no task)', el('div', { class: 'sub', text: source + ' / ' + syncType })]);
  }

  function runningRow(run, pool) {
    var progress = run.progress === undefined || run.progress === null
      ? el('span', { class: 'sub', text: run.progressMessage || 'no progress reported' })
      : el('span', { class: 'progress' }, [bar(run.progress), el('span', { text: Math.round(run.progress * 100) + '%' })]);
    var message = run.progress !== undefined && run.progress !== null && run.progressMessage
      ? el('div', { class: 'sub', text: run.progressMessage }) : null;
    var beat = run.heartbeatAgeSeconds === undefined || run.heartbeatAgeSeconds === null
      ? el('span', { class: 'sub', text: 'none yet' })
      : el('span', { class: run.heartbeatAgeSeconds > 60 ? 'beat-late' : '', text: duration(run.heartbeatAgeSeconds) + ' ago' });
    return el('tr', { 'data-task': run.task || run.job, 'data-job': run.job }, [
      taskCell(run.task || run.job, run.source, run.syncType),
      el('td', { class: 'num', text: run.attempt ? '#' + run.attempt : '' }),
      el('td', { class: 'num age', text: run.ageSeconds === undefined || run.ageSeconds === null ? 'starting' : duration(run.ageSeconds) }),
      el('td', {}, [progress, message]),
      el('td', { class: 'heartbeat' }, [beat]),
    ]);
  }

  function queueRow(entry, generatedAt) {
    var eta = entry.startsAt ? secondsBetween(generatedAt, entry.startsAt) : undefined;
    return el('tr', { 'data-task': entry.task || entry.job, 'data-position': entry.position }, [
      el('td', { class: 'num position', text: entry.position }),
      taskCell(entry.task || entry.job, entry.source, entry.syncType),
      el('td', { class: 'num', text: entry.effectivePriority === entry.priority ? entry.priority : entry.priority + ' \u2192 ' + entry.effectivePriority }),
      el('td', { class: 'num', text: duration(entry.waitingSeconds) }),
      el('td', {}, [el('span', { class: 'reason', text: entry.reason })]),
      el('td', { class: 'num', text: eta === undefined ? '\u2014' : eta <= 1 ? 'now' : '~' + duration(eta) }),
    ]);
  }

  function recentRow(run, generatedAt) {
    return el('tr', { 'data-task': run.task, 'data-phase': run.phase }, [
      taskCell(run.task, run.source, run.syncType),
      el('td', {}, [el('span', { class: 'badge ' + run.phase, text: run.phase })]),
      el('td', { class: 'num', text: duration(secondsBetween(run.finishedAt, generatedAt)) + ' ago' }),
      el('td', { class: 'num', text: run.durationSeconds === undefined ? '' : duration(run.durationSeconds) }),
      el('td', { class: 'sub', text: run.message || '' }),
    ]);
  }

  /** A titled list; an empty one is a single line. */
  function part(title, count, build, emptyText) {
    var heading = el('h3', {}, [title + ' ', el('span', { class: 'count', text: '(' + count + ')' }),
      count ? null : el('span', { class: 'none', text: emptyText })]);
    return count ? [heading, build()] : [heading];
  }

  function poolSection(pool, generatedAt) {
    var pct = Math.round(pool.utilization * 100);
    var level = pool.utilization >= 1 ? 'full' : pool.utilization >= 0.75 ? 'high' : '';
    var running = function () {
      return table('running', ['Task', 'Attempt#', 'Age#', 'Progress', 'Last heartbeat'], pool.running.map(function (r) { return runningRow(r, pool); }));
    };
    var queue = function () {
      return table('queue', ['##', 'Task', 'Priority#', 'Waiting#', 'Why it waits', 'Expected start#'],
        pool.queue.map(function (q) { return queueRow(q, generatedAt); }));
    };
    var more = pool.queueLength > pool.queue.length
      ? el('div', { class: 'more', text: '\u2026 and ' + (pool.queueLength - pool.queue.length) + ' more' }) : null;
    var recent = function () {
      return table('recent', ['Task', 'Outcome', 'Finished#', 'Took#', 'Message'], pool.recent.map(function (r) { return recentRow(r, generatedAt); }));
    };
    return el('section', { class: 'pool', 'data-pool': pool.namespace + '/' + pool.name, 'data-state': pool.state }, [
      el('div', { class: 'pool-head' }, [
        el('h2', {}, [el('span', { class: 'ns', text: pool.namespace + ' / ' }), pool.name]),
        el('span', { class: 'badge ' + pool.state, text: pool.state }),
        el('span', { class: 'numbers', text: pool.active + ' of ' + pool.maxWorkers + ' running \u00b7 ' + pool.queueLength + ' waiting' }),
      ]),
      el('div', { class: 'util', title: 'utilization' }, [bar(pool.utilization, level), el('span', { class: 'pct', text: pct + '%' })]),
      el('p', { class: 'message', text: pool.message }),
    ].concat(part('Running', pool.running.length, running, 'nothing running'), part('Queued', pool.queueLength, queue, 'nothing waiting'),
      [more], part('Recent outcomes', pool.recent.length, recent, 'nothing finished lately')));
  }

  function render(data) {
    var main = byId('pools');
    var sections = data.pools.map(function (p) { return poolSection(p, data.generatedAt); });
    if (!sections.length) sections = [el('div', { class: 'empty', text: 'No pools in the namespaces you may see.' })];
    main.replaceChildren.apply(main, sections);
    var running = 0, waiting = 0;
    data.pools.forEach(function (p) { running += p.active; waiting += p.queueLength; });
    byId('totals').textContent = data.pools.length + ' pool' + (data.pools.length === 1 ? '' : 's') + ' \u00b7 ' + running + ' running \u00b7 ' + waiting + ' waiting';
    byId('viewer').textContent = 'as ' + data.viewer;
  }

  function showUpdated() {
    var u = byId('updated');
    if (!sessionStorage.getItem(TOKEN_KEY)) { u.className = 'updated'; u.textContent = 'signed out'; return; }
    if (!lastOkMs) { u.className = 'updated'; u.textContent = 'connecting\u2026'; return; }
    var age = Date.now() - lastOkMs;
    var stale = age > STALE_MS;
    u.className = 'updated ' + (stale ? 'stale' : 'live');
    u.textContent = (stale ? 'stale \u00b7 last update ' : 'live \u00b7 updated ') + clock(lastOkMs) + (stale ? ' (' + duration(age / 1000) + ' ago)' : '');
  }

  function notice(text) { byId('notice').textContent = text || ''; }

  function askForToken(why) {
    sessionStorage.removeItem(TOKEN_KEY);
    byId('login').hidden = false;
    byId('forget').hidden = true;
    byId('login-why').textContent = why || '';
    byId('pools').replaceChildren();
    byId('totals').textContent = '';
    byId('viewer').textContent = '';
    lastOkMs = 0;
    notice('');
    showUpdated();
  }

  async function poll() {
    timer = null;
    var token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) { askForToken(''); return; }
    byId('login').hidden = true;
    byId('forget').hidden = false;
    try {
      var res = await fetch('api/v1/pools', { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' });
      var body = await res.json().catch(function () { return {}; });
      if (res.status === 401) { askForToken('The API server did not accept that token (' + (body.error || 'unauthorized') + ').'); return; }
      if (res.ok) {
        render(body);
        lastOkMs = Date.now();
        notice('');
      } else if (res.status === 403) {
        byId('pools').replaceChildren();
        byId('totals').textContent = '';
        lastOkMs = Date.now();
        notice('Signed in, but not allowed to see any pool: ' + (body.error || 'forbidden') + '. The page keeps checking.');
      } else {
        notice('The operator answered ' + res.status + ': ' + (body.error || res.statusText) + '. Retrying.');
      }
    } catch (err) {
      notice('Cannot reach the operator (' + err.message + '). Retrying.');
    }
    showUpdated();
    timer = setTimeout(poll, POLL_MS);
  }

  function restart() {
    if (timer) clearTimeout(timer);
    poll();
  }

  var fragment = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (fragment) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(fragment[1]));
    // Out of the address bar, the history and any bookmark.
    history.replaceState(null, '', location.pathname + location.search);
  }
  byId('login').addEventListener('submit', function (event) {
    event.preventDefault();
    var value = byId('token').value.trim();
    byId('token').value = '';
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    restart();
  });
  byId('forget').addEventListener('click', function () { askForToken('Token forgotten.'); });
  setInterval(showUpdated, 500);
  restart();
})();
`;
