// Time, behind one seam so tests and the status files agree on it.
export interface Clock {
  /** Seconds since the epoch, with fractions (cloud-init's status.json unit). */
  now(): number;
  /** Milliseconds from an arbitrary origin, for durations. */
  monotonicMs(): number;
}

/** Monotonic milliseconds. process.hrtime, not performance.now(): that global loads perf_hooks (~2 ms). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export const systemClock: Clock = {
  now: () => Date.now() / 1000,
  monotonicMs,
};
