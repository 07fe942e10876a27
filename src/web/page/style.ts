// The status page's stylesheet, inlined into the page (no external assets; its hash is
// in the page's Content-Security-Policy).
export const STYLE = String.raw`
:root {
  --bg: #f5f6f8; --card: #fff; --ink: #1d2330; --muted: #5f6b7a; --line: #e3e6eb;
  --green: #1f8a4c; --blue: #2f6fd6; --amber: #c77700; --red: #c62f2f; --grey: #7a8594;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
header {
  display: flex; align-items: center; gap: 16px; flex-wrap: wrap;
  padding: 12px 24px; background: #1d2330; color: #fff;
}
header h1 { font-size: 18px; margin: 0; font-weight: 600; letter-spacing: .2px; }
header .totals { color: #c9d1dc; }
header .spacer { flex: 1; }
header .viewer { color: #c9d1dc; font-size: 12px; }
.updated { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #2c3547; color: #c9d1dc; }
.updated::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; background: var(--grey); }
.updated.live::before { background: #3ecf7a; }
.updated.stale { background: #5a2a2a; color: #ffd9d9; }
.updated.stale::before { background: #ff6b6b; }
button { font: inherit; cursor: pointer; border-radius: 6px; border: 1px solid #8893a3; background: transparent; color: inherit; padding: 3px 10px; }
main { padding: 16px 24px 32px; display: grid; gap: 16px; max-width: 1280px; margin: 0 auto; }
.notice { margin: 16px 24px 0; padding: 10px 14px; border-radius: 8px; background: #fff4e0; border: 1px solid #f1d29a; }
.notice:empty { display: none; }
form.login { margin: 24px auto; max-width: 560px; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 18px 20px; }
form.login[hidden] { display: none; }
form.login h2 { margin: 0 0 6px; font-size: 16px; }
form.login p { color: var(--muted); margin: 0 0 12px; }
form.login code { background: #eef0f3; padding: 1px 5px; border-radius: 4px; }
form.login .row { display: flex; gap: 8px; }
form.login input { flex: 1; font: inherit; padding: 6px 8px; border: 1px solid #c3c9d2; border-radius: 6px; }
form.login button { background: var(--blue); border-color: var(--blue); color: #fff; }
.empty { color: var(--muted); text-align: center; padding: 32px; }
section.pool { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 18px 10px; }
.pool-head { display: flex; align-items: baseline; gap: 10px; flex-wrap: wrap; }
.pool-head h2 { font-size: 16px; margin: 0; }
.pool-head .ns { color: var(--muted); font-weight: 400; }
.pool-head .numbers { margin-left: auto; color: var(--muted); font-variant-numeric: tabular-nums; }
.badge { display: inline-block; white-space: nowrap; font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: .4px; padding: 2px 8px; border-radius: 10px; color: #fff; background: var(--grey); }
.badge.Available, .badge.Succeeded { background: var(--green); }
.badge.Busy { background: var(--blue); }
.badge.Overloaded { background: var(--amber); }
.badge.Invalid, .badge.Failed { background: var(--red); }
.badge.Paused, .badge.Cancelled { background: var(--grey); }
.util { display: flex; align-items: center; gap: 10px; margin: 10px 0 4px; }
.bar { flex: 1; height: 12px; background: #e8ebf0; border-radius: 6px; overflow: hidden; }
.bar > .fill { height: 100%; width: 0; background: var(--green); border-radius: 6px; transition: width .3s ease; }
.bar.high > .fill { background: var(--amber); }
.bar.full > .fill { background: var(--red); }
.util .pct { width: 44px; text-align: right; font-variant-numeric: tabular-nums; font-weight: 600; }
.message { color: var(--muted); margin: 0 0 6px; }
h3 { font-size: 12px; text-transform: uppercase; letter-spacing: .5px; color: var(--muted); margin: 14px 0 4px; }
h3 .count { font-weight: 400; }
/* Fixed columns, the task always first and as wide, so the lists of every pool line up. */
table { width: 100%; border-collapse: collapse; table-layout: fixed; font-variant-numeric: tabular-nums; }
th { text-align: left; font-weight: 500; color: var(--muted); font-size: 12px; border-bottom: 1px solid var(--line); padding: 4px 16px 4px 0; }
td { border-bottom: 1px solid #f0f2f5; padding: 5px 16px 5px 0; vertical-align: middle; }
td.task, td.sub { overflow-wrap: anywhere; }
tr:last-child td { border-bottom: 0; }
th.num, td.num { text-align: right; white-space: nowrap; }
td.task { font-weight: 500; }
td .sub, td.sub { color: var(--muted); font-size: 12px; }
table.running th:nth-child(1), table.recent th:nth-child(1) { width: 30%; }
table.running th:nth-child(2) { width: 9%; }
table.running th:nth-child(3) { width: 11%; }
table.running th:nth-child(5) { width: 18%; }
table.queue th:nth-child(1) { width: 4%; }
table.queue th:nth-child(2) { width: 26%; }
table.queue th:nth-child(3), table.queue th:nth-child(4) { width: 10%; }
table.queue th:nth-child(6) { width: 14%; }
table.recent th:nth-child(2) { width: 12%; }
table.recent th:nth-child(3), table.recent th:nth-child(4) { width: 9%; }
/* Narrow screens: let the columns take what their content needs. */
@media (max-width: 900px) {
  table { table-layout: auto; }
  th { width: auto !important; }
  header, main { padding-left: 12px; padding-right: 12px; }
}
.progress { display: inline-flex; align-items: center; gap: 6px; min-width: 140px; }
.progress .bar { height: 8px; min-width: 80px; }
.progress .bar > .fill { background: var(--blue); }
.beat-late { color: var(--amber); font-weight: 500; }
h3 .none { text-transform: none; letter-spacing: 0; font-weight: 400; margin-left: 8px; }
h3 .none::before { content: "\2014  "; }
.reason { font-size: 12px; padding: 1px 6px; border-radius: 4px; background: #eef0f3; color: #3b4656; }
.more { color: var(--muted); font-size: 12px; padding: 4px 0; }
`;
