/** Injected faults: matched in the order added, each consumed by `times` matching requests. */
import type { Fault } from './types.js';

export class Faults {
  private readonly queue: Array<{ fault: Fault; left: number }> = [];

  add(fault: Fault): void {
    this.queue.push({ fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** The first fault that matches the request, consuming one of its uses. */
  take(method: string, path: string): Fault | undefined {
    const i = this.queue.findIndex(({ fault }) => {
      if (fault.method && fault.method.toUpperCase() !== method.toUpperCase()) return false;
      if (fault.path === undefined) return true;
      if (typeof fault.path === 'string') return path.includes(fault.path);
      fault.path.lastIndex = 0; // a /g or /y RegExp keeps state between tests
      return fault.path.test(path);
    });
    if (i < 0) return undefined;
    const entry = this.queue[i]!;
    entry.left--;
    if (entry.left <= 0) this.queue.splice(i, 1);
    return entry.fault;
  }
}
