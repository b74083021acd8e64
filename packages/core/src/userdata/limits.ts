// Size limits for data that came over the network: refused with a clear error rather
// than exhausting memory at boot (a gzip bomb decompresses to gigabytes).
export const MAX_USERDATA_BYTES = 16 * 1024 * 1024;
export const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

/** All the bytes one user-data (or one vendor-data) may come to: its own, every #include and every gzip output together. */
export const MAX_TOTAL_USERDATA_BYTES = 64 * 1024 * 1024;

/**
 * One budget for the whole user-data: ten includes of a small gzip that each
 * decompress to the per-gzip limit would otherwise hold gigabytes at once. Every
 * buffer the user-data becomes (the data itself, each included body, each gzip
 * output) is taken from it; what no longer fits is refused with the total named.
 */
export class UserdataBudget {
  private used = 0;
  constructor(readonly limit = MAX_TOTAL_USERDATA_BYTES) {}

  left(): number {
    return Math.max(0, this.limit - this.used);
  }

  /** Takes `n` bytes, or throws naming `what` when they do not fit. */
  take(n: number, what: string): void {
    if (n > this.left()) throw new Error(`${what}: ${this.refusal()}`);
    this.used += n;
  }

  /** Gives back `n` bytes taken before (gzip data, once its output has replaced it). */
  release(n: number): void {
    this.used = Math.max(0, this.used - n);
  }

  refusal(): string {
    return `the user-data comes to more than ${this.limit} bytes in all (its #include and gzip contents counted together, the limit); refused`;
  }
}
