import { describe, expect, it } from 'vitest';
import { concurrencyLimit, hashPassword, scryptParams, verifyPassword } from './passwords.ts';

describe('password hashing', () => {
  it('runs at most the allowed number of tasks at once, in arrival order', async () => {
    const slot = concurrencyLimit(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const tasks = Array.from({ length: 6 }, (_, i) =>
      slot(async () => {
        running += 1;
        most = Math.max(most, running);
        order.push(i);
        await new Promise<void>((resolve) => releases.push(resolve));
        running -= 1;
      }),
    );
    // Let the two admitted tasks start, then release them one at a time.
    for (let done = 0; done < 6; done += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      releases.shift()?.();
    }
    await Promise.all(tasks);
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('frees the slot when a task fails', async () => {
    const slot = concurrencyLimit(1);
    await expect(slot(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await slot(async () => 'next')).toBe('next');
  });

  it('still hashes and verifies through the slots, many at once', async () => {
    const params = scryptParams(10);
    const hashes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => hashPassword(`password ${i}`, params)),
    );
    const checks = await Promise.all(
      hashes.map((hash, i) => verifyPassword(`password ${i}`, hash, params)),
    );
    expect(checks.every((check) => check.ok)).toBe(true);
  });
});
