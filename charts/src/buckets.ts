import { type CountableTimeInterval, utcDay, utcHour, utcMonday, utcMonth, utcYear } from 'd3-time';
import type { Bucket } from './types.ts';

/** The API's time buckets as d3 intervals: weeks start on Monday, as PostgreSQL's do. */
const INTERVALS: Record<Bucket, CountableTimeInterval> = {
  hour: utcHour,
  day: utcDay,
  week: utcMonday,
  month: utcMonth,
  year: utcYear,
};

/**
 * A range (ms, UTC) widened to whole buckets: from the start of the bucket `from` falls in to
 * the last instant of the bucket `to` falls in. A zoom that cut a month in two would draw its
 * first and last months from a few days each, as if their values had fallen.
 */
export function wholeBuckets(bucket: Bucket, from: number, to: number): [number, number] {
  const interval = INTERVALS[bucket];
  const start = interval.floor(new Date(from));
  const end = interval.offset(interval.floor(new Date(to)), 1);
  return [start.getTime(), end.getTime() - 1];
}
