// FNV-1a over a few independent 32-bit lanes: a content hash for deciding "same input
// as before" (MIME boundaries, the kept schema check). Not for secrets or adversaries:
// it is ours so that these need not load node:crypto (about 8 ms of a stage's start).

const PRIME = 0x01000193;

export class Fnv {
  private readonly lanes: number[];

  constructor(lanes = 2, seed = 0) {
    // Each lane starts from FNV's offset basis, perturbed by its index and the seed.
    this.lanes = Array.from({ length: lanes }, (_, i) => (0x811c9dc5 ^ Math.imul(i + 1, 0x9e3779b1) ^ seed) >>> 0);
  }

  /** Mixes one value (a byte or a UTF-16 code unit) into every lane, each with its own multiplier. */
  mix(n: number): this {
    for (let i = 0; i < this.lanes.length; i++) this.lanes[i] = Math.imul((this.lanes[i] as number) ^ n, PRIME + 0x2000 * i) >>> 0;
    return this;
  }

  bytes(b: Uint8Array): this {
    for (const x of b) this.mix(x);
    return this;
  }

  text(s: string): this {
    for (let i = 0; i < s.length; i++) this.mix(s.charCodeAt(i));
    return this;
  }

  /** The lanes as one unsigned integer, first lane highest. */
  value(): bigint {
    return this.lanes.reduce((acc, l) => (acc << 32n) | BigInt(l), 0n);
  }

  hex(): string {
    return this.lanes.map((l) => l.toString(16).padStart(8, '0')).join('');
  }
}
