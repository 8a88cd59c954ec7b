// One autocannon run, started by throughput.ts as its own process (pinned with taskset to the
// load generator's core): prints its result as JSON, with why requests failed, which autocannon's
// CLI leaves out. Argument: JSON of { url, connections, duration, headers }.
import autocannon, { type Result } from 'autocannon';

interface FullResult extends Result {
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
}

const options = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
};
const instance = autocannon(options);
const reasons: Record<string, number> = {};
instance.on('reqError', (error) => {
  reasons[error.message] = (reasons[error.message] ?? 0) + 1;
});
const result = (await instance) as FullResult;
process.stdout.write(
  JSON.stringify({
    duration: result.duration,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count]),
    ),
    reasons,
  }),
);
