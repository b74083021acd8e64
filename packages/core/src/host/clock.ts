// Time, behind one seam so tests and the status files agree on it.
export interface Clock {
  /** Seconds since the epoch, with fractions (cloud-init's status.json unit). */
  now(): number;
  /** Milliseconds from an arbitrary origin, for durations. */
  monotonicMs(): number;
}

export const systemClock: Clock = {
  now: () => Date.now() / 1000,
  monotonicMs: () => performance.now(),
};
