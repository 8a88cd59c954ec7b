import { describe, expect, it } from 'vitest';
import { type Answer, answerCache } from './answer-cache.ts';

const answer = (bytes: number, fill = 1): Answer => ({
  body: new Uint8Array(bytes).fill(fill),
  contentType: 'application/octet-stream',
});

describe('the answer cache', () => {
  it('keeps answers up to its byte limit, dropping the least recently used first', async () => {
    const cache = answerCache(1000);
    let computed = 0;
    const get = (key: string) =>
      cache.get(key, async () => {
        computed++;
        return answer(100);
      });
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']) await get(key);
    expect(cache.stats()).toMatchObject({ entries: 10, bytes: 1000 });
    await get('a'); // a hit: now the most recently used
    expect(computed).toBe(10);
    await get('k'); // b, the oldest untouched, makes room
    expect(cache.stats()).toMatchObject({ entries: 10, bytes: 1000 });
    await get('a');
    expect(computed).toBe(11);
    await get('b');
    expect(computed).toBe(12);
  });

  it('does not keep an answer larger than an eighth of it', async () => {
    const cache = answerCache(800);
    await cache.get('big', async () => answer(101));
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
    await cache.get('fits', async () => answer(100));
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 100 });
  });

  it('runs one computation for concurrent gets of a key, and none is kept when it fails', async () => {
    const cache = answerCache(0);
    let computed = 0;
    let finish: (value: Answer) => void = () => {};
    const compute = () => {
      computed++;
      return new Promise<Answer>((resolve) => {
        finish = resolve;
      });
    };
    const waiting = Array.from({ length: 5 }, () => cache.get('k', compute));
    expect(cache.stats().flights).toBe(1);
    finish(answer(3, 7));
    const answers = await Promise.all(waiting);
    expect(computed).toBe(1);
    expect(new Set(answers).size).toBe(1);
    expect(cache.stats()).toMatchObject({ entries: 0, flights: 0 });

    await expect(cache.get('bad', () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(cache.stats().flights).toBe(0);
    expect((await cache.get('bad', async () => answer(1))).body).toHaveLength(1);
  });
});
