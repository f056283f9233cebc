/**
 * Runs CPU-heavy work (image decoding, re-encoding) a few at a time, the rest waiting in order.
 * Each job keeps a core busy; with more of them than cores they starve the event loop's own
 * thread, and every page waits behind a burst of uploads (`bench/load.ts`).
 */
export class CpuSlots {
  private busy = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`CpuSlots needs at least one slot, not ${size}`);
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.busy < this.size) this.busy++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next in line
      else this.busy--;
    }
  }

  /** Jobs running and jobs waiting, for tests and metrics. */
  get load(): { running: number; waiting: number } {
    return { running: this.busy, waiting: this.waiting.length };
  }
}
