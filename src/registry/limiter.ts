// Bounds the registry lookups of one resolver: so many in flight, so many waiting, and none
// waiting longer than a lookup may take. Whoever creates pods chooses how many tags are looked up,
// so without a bound they could queue their own lookup behind thousands of others until it timed
// out. A lookup the limits refuse is reported as such, and evaluate denies it whatever onError says.

export type Slot = { readonly ok: true; release(): void } | { readonly ok: false; readonly fault: string };

interface Waiter {
  readonly grant: (slot: Slot) => void;
  readonly timer: NodeJS.Timeout;
}

export class LookupLimiter {
  private active = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    private readonly slots: number,
    private readonly maxWaiting: number,
    private readonly maxWaitMs: number,
  ) {}

  /** A slot now, a slot when one frees up within maxWaitMs, or a fault naming the limit. */
  acquire(): Promise<Slot> {
    if (this.active < this.slots) return Promise.resolve(this.take());
    if (this.waiting.length >= this.maxWaiting) {
      return Promise.resolve({ ok: false, fault: `lookup refused: ${this.maxWaiting} lookups are already waiting for one of ${this.slots} slots` });
    }
    return new Promise((grant) => {
      const waiter: Waiter = {
        grant,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          grant({ ok: false, fault: `lookup refused: waited ${this.maxWaitMs} ms for one of ${this.slots} slots` });
        }, this.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  private take(): Slot {
    this.active += 1;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.active -= 1;
        const next = this.waiting.shift();
        if (next === undefined) return;
        clearTimeout(next.timer);
        next.grant(this.take());
      },
    };
  }
}
