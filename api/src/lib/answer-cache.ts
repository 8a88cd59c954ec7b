/**
 * Answers computed once and served many times: chart data and images. Bounded in bytes, the
 * least recently used answer goes first. A key names everything an answer depends on (the
 * chart's and the dataset's versions, the query), so an entry is never stale: a change makes a
 * new key, and the old entry ages out. Per process, on purpose: every instance reads the
 * versions from the primary on each request, so none can serve what another has replaced, and
 * a hit costs no database round trip for the answer itself.
 *
 * Concurrent requests for one key that is not there yet wait for one computation (single
 * flight) instead of each running the aggregate.
 */
export interface Answer {
  body: Uint8Array;
  contentType: string;
}

export interface AnswerCache {
  /** The answer under `key`, computed by `compute` if no entry or flight holds it. */
  get(key: string, compute: () => Promise<Answer>): Promise<Answer>;
  stats(): { entries: number; bytes: number; flights: number };
}

export function answerCache(maxBytes: number): AnswerCache {
  // A Map iterates in insertion order: re-inserting on each hit keeps the oldest first.
  const entries = new Map<string, Answer>();
  const flights = new Map<string, Promise<Answer>>();
  let bytes = 0;

  const store = (key: string, answer: Answer) => {
    // One answer may take at most an eighth of the cache, so a few large ones cannot empty it.
    if (answer.body.byteLength > maxBytes / 8) return;
    entries.set(key, answer);
    bytes += answer.body.byteLength;
    for (const [oldest, old] of entries) {
      if (bytes <= maxBytes) break;
      entries.delete(oldest);
      bytes -= old.body.byteLength;
    }
  };

  return {
    get(key, compute) {
      const hit = entries.get(key);
      if (hit) {
        entries.delete(key);
        entries.set(key, hit);
        return Promise.resolve(hit);
      }
      const flying = flights.get(key);
      if (flying) return flying;
      const flight = compute().then(
        (answer) => {
          flights.delete(key);
          store(key, answer);
          return answer;
        },
        (error: unknown) => {
          flights.delete(key);
          throw error;
        },
      );
      flights.set(key, flight);
      return flight;
    },
    stats: () => ({ entries: entries.size, bytes, flights: flights.size }),
  };
}
