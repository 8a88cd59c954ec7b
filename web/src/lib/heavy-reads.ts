/**
 * The API lets one caller run two chart, row or query reads at a time and answers 429 to a
 * third (with `Retry-After`). A page that draws many charts at once (the gallery) queues its
 * reads here instead: two at a time, and a read that is still refused waits and tries again.
 */
const AT_ONCE = 2;
const TRIES = 4;
let running = 0;
const waiting: (() => void)[] = [];

/** What openapi-fetch answers: the HTTP response is enough to tell a refusal. */
interface Answer {
  response: Response;
}

const pause = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

export async function heavyRead<T extends Answer>(read: () => Promise<T>): Promise<T> {
  if (running >= AT_ONCE) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    for (let attempt = 1; ; attempt++) {
      const answer = await read();
      const busy = answer.response.status === 429 || answer.response.status === 503;
      if (!busy || attempt === TRIES) return answer;
      const after = Number(answer.response.headers.get('Retry-After'));
      await pause(Number.isFinite(after) && after > 0 ? Math.min(after, 10) : attempt);
    }
  } finally {
    running--;
    waiting.shift()?.();
  }
}
