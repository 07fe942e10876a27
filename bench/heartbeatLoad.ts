// Heartbeats sent as sync pods send them (POST, Bearer token, a small JSON body), from
// the bench process, over kept-alive connections: a closed loop (C senders, each waits
// for its answer, then sends again) for what one operator can accept, and an open loop
// (a fixed schedule, answers not waited for) for latency at a given rate. Latency is
// from the request being sent to its answer, in ms with 0.1 ms resolution: at rest an
// answer takes a few ms, and whole ms would hide the difference between stores.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { HEARTBEAT_PATH } from '../src/heartbeat/receiver.js';

const BODY = JSON.stringify({ progress: 0.5, message: 'x' });

export interface LoadResult {
  /** Latency of every accepted heartbeat (200), ms (0.1 ms resolution). */
  latencies: number[];
  /** Answers by HTTP status; 0: no answer (connection error). */
  codes: Map<number, number>;
  /** A few refusals as answered, to say why. */
  refusals: string[];
  /** How late the open loop sent, ms (scheduled → sent); empty for the closed loop. */
  lag: number[];
  /** Most requests waiting for an answer at once (the open loop's backlog). */
  maxInFlight: number;
  /** From the first request sent to the last answer, ms. */
  elapsedMs: number;
}

export const accepted = (r: LoadResult) => r.codes.get(200) ?? 0;
/**
 * Answers that are neither 200 nor 503: 503 "retry later" is the operator shedding a burst
 * of first-time token reviews on purpose (it caps reviews in flight), and a worker's next
 * beat simply comes; it is counted and shown, not a failure.
 */
export const refused = (r: LoadResult) => [...r.codes].reduce((sum, [code, n]) => sum + (code === 200 || code === 503 ? 0 : n), 0);

export class HeartbeatClient {
  // Closes idle connections before the operator's server would (Node's default
  // keepAliveTimeout is 5 s), so a request never races a server-side close. At most
  // 256 connections: beyond that an open loop's backlog waits here (and is timed).
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000, scheduling: 'lifo' });

  constructor(private readonly port: number) {}

  /** One heartbeat: its HTTP status (0: no answer) and, unless 200, the answer's text. */
  send(token: string): Promise<{ status: number; text?: string }> {
    return new Promise((resolve) => {
      const req = request({
        host: '127.0.0.1', port: this.port, path: HEARTBEAT_PATH, method: 'POST', agent: this.agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) },
      }, (res) => {
        const status = res.statusCode ?? 0;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { if (status !== 200) text += c; });
        res.on('end', () => resolve(status === 200 ? { status } : { status, text }));
        res.on('error', (err) => resolve({ status: 0, text: err.message }));
      });
      req.on('error', (err) => resolve({ status: 0, text: err.message }));
      req.end(BODY);
    });
  }

  /**
   * `senders` in parallel, each sending as soon as its last answer came, for `ms`;
   * tokens taken in turn, so every run beats. `maxRequests` ends it sooner (a warm-up).
   */
  async closedLoop(tokens: string[], senders: number, ms: number, maxRequests = Infinity): Promise<LoadResult> {
    const result = emptyResult();
    const start = performance.now();
    const end = start + ms;
    let next = 0;
    const sender = async () => {
      while (performance.now() < end && next < maxRequests) {
        const token = tokens[next++ % tokens.length]!;
        const t0 = performance.now();
        record(result, await this.send(token), performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: senders }, sender));
    result.maxInFlight = senders;
    result.elapsedMs = performance.now() - start;
    return result;
  }

  /**
   * Every token beats once per `periodMs`, the beats of all tokens spread evenly over
   * the period, for `ms`; a beat is sent when due whether or not earlier ones were
   * answered, as independent workers would.
   */
  async openLoop(tokens: string[], periodMs: number, ms: number): Promise<LoadResult> {
    const result = emptyResult();
    const gap = periodMs / tokens.length;
    const start = performance.now();
    const sent: Promise<void>[] = [];
    let inFlight = 0;
    for (let i = 0; i * gap < ms; i++) {
      const due = start + i * gap;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const t0 = performance.now();
      result.lag.push(tenths(t0 - due));
      result.maxInFlight = Math.max(result.maxInFlight, ++inFlight);
      sent.push(this.send(tokens[i % tokens.length]!).then((answer) => {
        inFlight -= 1;
        record(result, answer, performance.now() - t0);
      }));
    }
    await Promise.all(sent);
    result.elapsedMs = performance.now() - start;
    return result;
  }

  close(): void {
    this.agent.destroy();
  }
}

function emptyResult(): LoadResult {
  return { latencies: [], codes: new Map(), refusals: [], lag: [], maxInFlight: 0, elapsedMs: 0 };
}

function record(r: LoadResult, answer: { status: number; text?: string }, ms: number): void {
  if (answer.status === 200) r.latencies.push(tenths(ms));
  r.codes.set(answer.status, (r.codes.get(answer.status) ?? 0) + 1);
  if (answer.status !== 200 && r.refusals.length < 5) r.refusals.push(`${answer.status} ${answer.text?.slice(0, 300) ?? ''}`);
}

const tenths = (ms: number) => Math.round(ms * 10) / 10;
