// Which activation is due now, as the CronJob controller decides it
// (pkg/controller/cronjob/utils.go: mostRecentScheduleTime, nextScheduleTime and
// nextScheduleTimeDuration). Mirrored on purpose, approximations included, so that what we
// show and plan for is what the controller then does.
import { ms, type Instant, type Schedule } from './schedule.js';

/** Above this many missed activations the controller warns (event TooManyMissedTimes). */
export const TOO_MANY_MISSED = 100;

export interface MissedWindow {
  /** status.lastScheduleTime, or the creation time when nothing was scheduled yet. */
  earliest: Instant;
  now: Instant;
  /** spec.startingDeadlineSeconds: activations older than this are not started any more. */
  startingDeadlineSeconds?: number;
}

export interface MissedRuns {
  /**
   * The activation to start now: the latest one in (earliest, now], or undefined. As in
   * the controller, it can be undefined even though `missed` > 0, for a schedule whose
   * gaps are uneven (see `mostRecent` below).
   */
  mostRecent?: Date;
  /**
   * How many activations fell in (earliest, now], estimated the controller's way: the time
   * since the first one divided by the gap between the first two, plus one. Exact for
   * evenly spaced schedules; an overcount across a weekend for "30 9 * * 1-5".
   */
  missed: number;
  /** The activation after now to wait for (the controller adds 100 ms to the wait). */
  next: Date;
}

export function missedRuns(schedule: Schedule, window: MissedWindow): MissedRuns {
  const now = ms(window.now);
  const since = ms(window.earliest);
  // The controller schedules nothing older than the deadline; for "@every" this also moves
  // the chain the activations are counted on.
  const deadline = window.startingDeadlineSeconds === undefined ? since : now - window.startingDeadlineSeconds * 1000;
  const due = mostRecent(schedule, Math.max(since, deadline), now);
  // The wait is computed without the deadline (nextScheduleTimeDuration), from the latest
  // activation found, or from `earliest` when none was due, or from now when some were
  // missed but the estimate found none.
  const ignoringDeadline = window.startingDeadlineSeconds === undefined ? due : mostRecent(schedule, since, now);
  const from = ignoringDeadline.mostRecent ?? (ignoringDeadline.missed === 0 ? since : now);
  return { ...due, next: schedule.next(from) };
}

function mostRecent(schedule: Schedule, earliest: number, now: number): Omit<MissedRuns, 'next'> {
  const first = schedule.next(earliest);
  if (now < first.getTime()) return { missed: 0 };
  const second = schedule.next(first);
  if (now < second.getTime()) return { mostRecent: first, missed: 1 };
  // Whole seconds, as the controller counts: the gap rounded, the time elapsed truncated.
  const gap = Math.round((second.getTime() - first.getTime()) / 1000);
  const elapsed = Math.trunc((now - first.getTime()) / 1000);
  const missed = Math.floor(elapsed / gap) + 1;
  // Jump to one gap before the estimated last activation, then step forward to now. Where
  // the gaps are uneven the jump can overshoot every activation before now: the
  // controller then starts nothing, and neither do we.
  let latest: Date | undefined;
  for (let t = schedule.next(first.getTime() + (missed - 2) * gap * 1000); t.getTime() <= now; t = schedule.next(t)) {
    latest = t;
  }
  return latest ? { mostRecent: latest, missed } : { missed };
}
