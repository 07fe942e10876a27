// `describe` for people: kubectl describe's layout (aligned "Field:  value" lines, then
// tables), one screen for the usual task.
import { age, humanDuration, percent, relative, text } from './format.js';
import type { Attempt, TaskStory } from './describeModel.js';
import { table } from './table.js';

const field = (label: string, value: string) => `${`${label}:`.padEnd(18)}${value}`;
/** `2026-05-01T12:00:00Z (5m ago)` */
const when = (at: string | undefined, nowMs: number) => (at ? `${at.replace(/\.000Z$/, 'Z')} (${relative(at, nowMs)})` : '<none>');
const indent = (block: string, by = '  ') => block.split('\n').map((l) => `${by}${l}`).join('\n');

export function describeText({ task: t, waiting, attempts, events }: TaskStory, nowMs: number): string {
  const out = [
    field('Name', t.name),
    field('Namespace', t.namespace),
    field('Pool', t.pool),
    field('Sync', `${t.source}/${t.syncType}`),
    field('Priority', String(t.priority)),
    field('Parameters', t.parameterKeys.length > 0 ? `${t.parameterKeys.join(', ')} (values not shown)` : '<none>'),
  ];
  if (t.parametersFromSecret) out.push(field('Parameters From', `Secret ${t.parametersFromSecret}`));
  if (t.schedule) {
    out.push(field('Schedule', `${t.schedule} (${t.timeZone ?? 'UTC'})${t.suspend ? ', suspended' : ''}`));
    out.push(field('Next Run', when(t.nextScheduleTime, nowMs)));
  }
  if (t.retryOf) out.push(field('Retry Of', t.retryOf));
  out.push(field('Phase', `${text(t.phase)}${t.cancel && t.phase !== 'Cancelled' ? ' (cancel requested)' : ''}`));
  if (t.message) out.push(field('Message', t.message));
  if (t.attempt !== undefined) out.push(field('Attempt', String(t.attempt)));
  out.push(field('Created', when(t.createdAt, nowMs)));
  if (t.queuedAt) out.push(field('Queued', when(t.queuedAt, nowMs)));
  if (t.startedAt) out.push(field('Started', when(t.startedAt, nowMs)));
  if (t.finishedAt) out.push(field('Finished', when(t.finishedAt, nowMs)));
  if (t.nextRetryAt) out.push(field('Next Attempt', when(t.nextRetryAt, nowMs)));
  if (waiting) {
    const eta = waiting.startsAt ? `; expected to start in ~${humanDuration(Date.parse(waiting.startsAt) - nowMs)}` : '';
    out.push(field('Waiting', `position ${waiting.position} of ${waiting.of} (${waiting.reason}): ${waiting.why}${eta}`));
  }
  if (t.lastHeartbeat || t.progress !== undefined) {
    const progress = t.progress === undefined ? '' : `, progress ${percent(t.progress)}`;
    out.push(field('Heartbeat', `${t.lastHeartbeat ? relative(t.lastHeartbeat, nowMs) : 'none yet'}${progress}${t.progressMessage ? `: ${t.progressMessage}` : ''}`));
  }
  out.push('Conditions:');
  out.push(t.conditions.length === 0 ? '  <none>' : indent(table(['type', 'status', 'reason', 'age', 'message'],
    t.conditions.map((c) => [c.type, c.status, c.reason, age(c.lastTransitionTime, nowMs), c.message]))));
  out.push(`${t.schedule ? 'Runs' : 'Attempts'}:`);
  out.push(attempts.length === 0 ? '  <none>' : attempts.map((a) => attemptText(a, nowMs)).join('\n'));
  out.push('Events:');
  out.push(events.length === 0 ? '  <none>' : indent(table(['last seen', 'type', 'reason', 'object', 'message'], events.map((e) => [
    e.time ? age(e.time, nowMs) : '<unknown>', text(e.type), text(e.reason), e.object, `${e.message ?? ''}${e.count > 1 ? ` (x${e.count})` : ''}`,
  ]))));
  return out.join('\n');
}

function attemptText(a: Attempt, nowMs: number): string {
  const head = [
    `${a.attempt === undefined ? '' : `#${a.attempt} `}Job ${a.job}: ${a.state}`,
    a.startedAt ? `started ${relative(a.startedAt, nowMs)}` : undefined,
    a.durationSeconds === undefined ? undefined : `ran ${humanDuration(a.durationSeconds * 1000)}`,
    a.reason ? `${a.reason}${a.message ? `: ${a.message}` : ''}` : undefined,
  ].filter(Boolean).join(', ');
  if (a.pods.length === 0) return `  ${head}`;
  const pods = table(['pod', 'phase', 'node', 'exit code', 'reason', 'message'], a.pods.map((p) => [
    p.name, text(p.phase), text(p.node), text(p.exitCode), text(p.reason), text(p.message),
  ]));
  return `  ${head}\n${indent(pods, '    ')}`;
}
