// Where the operator's CPU went, from the V8 profile `node --cpu-prof` writes when it
// exits: self time by function and by area (our src/ directories, each npm package,
// Node's internals, the garbage collector), idle left out.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile { nodes: ProfileNode[]; samples: number[]; startTime: number; endTime: number }

export interface CpuBreakdown {
  /** Sampled CPU time, idle excluded, ms. */
  busyMs: number;
  byArea: [string, number][];
  topFunctions: [string, number][];
}

/** The operator runs from its build (node_modules/.cache/syncpool-built/<hash>/dist/…): those files are ours. */
const BUILT = /node_modules\/\.cache\/syncpool-built\/[^/]+\/dist\//;

function areaOf(url: string, fn: string): string {
  if (url === '') return fn.startsWith('(') ? fn : '(native)';
  url = url.replace(BUILT, '/src/');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /\/(src\/[^/]+)\//.exec(url);
  if (ours) return ours[1]!;
  if (url.startsWith('node:')) return 'node internals';
  return url.replace(/^.*\//, '');
}

const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => [k, Math.round(v)] as [string, number]);

export function summarizeProfile(profile: Profile, topN = 12): CpuBreakdown {
  const msPerSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busyMs = 0;
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    if (!node.hitCount || functionName === '(idle)') continue;
    const ms = node.hitCount * msPerSample;
    busyMs += ms;
    add(byArea, areaOf(url, functionName), ms);
    const where = url ? `${url.replace(BUILT, '/src/').replace(/^.*?(src\/|node_modules\/)/, '$1')}:${lineNumber + 1}` : '';
    add(byFunction, `${functionName || '(anonymous)'} ${where}`.trim(), ms);
  }
  return { busyMs: Math.round(busyMs), byArea: top(byArea, topN), topFunctions: top(byFunction, topN) };
}

/**
 * The main thread's profile among those a process left in `dir`: the largest, should a
 * worker thread (a loader, say) write a small one of its own.
 */
export function readProfile(dir: string): Profile {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  const largest = files.sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
  return JSON.parse(readFileSync(largest, 'utf8')) as Profile;
}
