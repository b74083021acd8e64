// Shared pieces of the reliability fuzz tests: a runner that counts every input tried
// (the totals go to docs/reliability.md), and a check
// that a rejection is the parser's own error, names the input and has no stack for the user.
import fc from 'fast-check';

const tried = new Map<string, number>();

/** Runs `fc.assert` and counts its inputs under `name`; prints the count for the figures. */
export function fuzz<T>(name: string, arb: fc.Arbitrary<T>, check: (v: T) => void, numRuns: number): void {
  let n = 0;
  fc.assert(
    fc.property(arb, (v) => {
      n++;
      check(v);
    }),
    { numRuns },
  );
  tried.set(name, (tried.get(name) ?? 0) + n);
  process.stdout.write(`# fuzz ${name}: ${n} inputs\n`);
}

/**
 * Calls `parse`; an exception must be an instance of `errorClass` whose message starts
 * with `file` (the input named), carries the position when `position` matches, and
 * carries no stack-trace line in its message. Returns the error, or null.
 */
export function rejectsCleanly(parse: () => unknown, errorClass: abstract new (...args: never[]) => Error, file: string, position?: RegExp): Error | null {
  try {
    parse();
    return null;
  } catch (e) {
    if (!(e instanceof errorClass)) throw new Error(`not a ${errorClass.name}: ${e instanceof Error ? e.stack : String(e)}`);
    if (!e.message.startsWith(file)) throw new Error(`the error does not name ${file}: ${e.message}`);
    if (position !== undefined && !position.test(e.message)) throw new Error(`the error has no position: ${e.message}`);
    if (/\n\s+at /.test(e.message)) throw new Error(`a stack trace in the message: ${e.message}`);
    return e;
  }
}

/** Text made of pieces that matter to a parser, mixed with arbitrary strings. */
export function textFrom(pieces: readonly string[], maxPieces = 40): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength: 120 }),
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.array(fc.constantFrom(...pieces), { maxLength: maxPieces }).map((a) => a.join('')),
    fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 6 })), { maxLength: maxPieces }).map((a) => a.join('')),
  );
}
