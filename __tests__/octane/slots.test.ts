import { describe, expect, it } from '@jest/globals';
import { Slots } from '../../src/octane/http.js';

describe('Slots (requests in flight to one site)', () => {
  it('runs at most `size` tasks at once and starts the others in arrival order', async () => {
    const slots = new Slots(3);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const release: Array<() => void> = [];
    const tasks = Array.from({ length: 8 }, (_, i) =>
      slots.run(async () => {
        started.push(i);
        peak = Math.max(peak, ++running);
        await new Promise<void>((resolve) => release.push(resolve));
        running--;
        return i;
      })
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    // Finishing task 1 lets exactly the next waiter (3) start.
    release[1]!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2, 3]);
    while (started.length < 8 || release.some(Boolean)) {
      const next = release.findIndex(Boolean);
      if (next < 0) break;
      const fn = release[next]!;
      delete release[next];
      fn();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(3);
  });

  it('a task that fails frees its slot', async () => {
    const slots = new Slots(1);
    await expect(slots.run(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(slots.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
