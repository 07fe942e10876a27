// kubectl syncpool watch [pool]: a view that follows the cluster from watch events. On a
// terminal it redraws in place (and once a second, from memory, so ages move); piped,
// it prints a new frame each time something changed (-o json: one JSON document per
// line), so scripts and tests can read it as a stream. Ends on Ctrl-C or SIGTERM.
import { stringify } from 'yaml';
import { viewPools } from '../views/index.js';
import { getPool } from './cluster.js';
import type { Parsed, VerbSpec } from './flags.js';
import { LiveState } from './live.js';
import type { Io } from './output.js';
import { connect, scopeWords } from './session.js';
import { frame, signature } from './watchView.js';

export const spec: VerbSpec = {
  name: 'watch',
  args: ['pool?'],
  summary: 'a live view of pools, their runs and queues, updated from watch events',
  allNamespaces: true,
  output: true,
};

// A terminal gets the alternate screen (as top and watch do), redrawn in place: each line
// cleared to its end and everything below the frame cleared, so nothing flickers.
const ENTER = '\x1b[?1049h\x1b[?25l';
const LEAVE = '\x1b[?25h\x1b[?1049l';
const redrawn = (text: string) => `\x1b[H${text.split('\n').map((l) => `${l}\x1b[K`).join('\n')}\x1b[J`;

export async function run({ common, positionals: [pool] }: Parsed, io: Io): Promise<number> {
  const s = connect(common);
  if (pool !== undefined && !s.allNamespaces) await getPool(s, pool);
  const live = await LiveState.start(s);
  const redraw = common.output === 'table' && io.out.isTTY === true;
  let last: string | undefined;

  const show = () => {
    const nowMs = Date.now();
    const pools = viewPools(live.state(), { nowMs, recent: 5 })
      .filter((p) => pool === undefined || (p.name === pool && (s.allNamespaces || p.namespace === s.namespace)));
    const sig = signature(pools);
    if (!redraw && sig === last) return;
    last = sig;
    if (common.output === 'json') {
      io.out.write(`${JSON.stringify({ time: new Date(nowMs).toISOString(), pools })}\n`);
    } else if (common.output === 'yaml') {
      io.out.write(`---\n${stringify({ time: new Date(nowMs).toISOString(), pools }, { lineWidth: 0 })}`);
    } else {
      const text = frame(pools, { scope: scopeWords(s), pool, withNamespace: s.allNamespaces, nowMs });
      io.out.write(redraw ? redrawn(fit(text, io.out.rows)) : `${text}\n\n`);
    }
  };

  let ticker: NodeJS.Timeout | undefined;
  if (redraw) io.out.write(ENTER);
  try {
    // Runs until a signal; a frame that cannot be drawn ends it with that error.
    await new Promise<void>((resolve, reject) => {
      const draw = () => {
        try {
          show();
        } catch (err) {
          reject(err);
        }
      };
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
      live.onChange(draw);
      draw();
      if (redraw) ticker = setInterval(draw, 1000);
    });
  } finally {
    clearInterval(ticker);
    live.stop();
    if (redraw) io.out.write(LEAVE);
  }
  return 0;
}

/** A frame cut to the terminal's height, so the redraw never scrolls. */
function fit(text: string, rows: number | undefined): string {
  if (!rows) return text;
  const lines = text.split('\n');
  return lines.length < rows ? text : [...lines.slice(0, rows - 2), `... ${lines.length - rows + 2} more lines`].join('\n');
}
