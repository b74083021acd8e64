// "did you mean ...?" for a key that is not known: the closest known key by edit
// distance (a swap of two neighbouring letters counts as one edit, the usual typo), if
// it is close enough to be the likely intent.

/** Optimal string alignment distance (Damerau-Levenshtein without repeated edits of one substring). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur: number[] = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (prev2[j - 2] as number) + 1);
      cur.push(v);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n] as number;
}

/** Folds the differences that never change meaning to a reader: case, '-' versus '_'. */
function fold(s: string): string {
  return s.toLowerCase().replace(/-/g, '_');
}

/**
 * The known key the unknown one most likely meant, or null when none is near.
 * `distance` is there for tests, which count how often the costly measure runs.
 */
export function didYouMean(key: string, known: Iterable<string>, distance: (a: string, b: string) => number = editDistance): string | null {
  const k = fold(key);
  // Long keys tolerate more typos; very short ones only one.
  const limit = k.length <= 4 ? 1 : k.length <= 10 ? 2 : 3;
  let best: string | null = null;
  let bestD = Infinity;
  for (const cand of known) {
    if (cand === key) continue;
    const c = fold(cand);
    // Lengths further apart than the limit cannot be within it: skipping them also keeps
    // a huge key (a pasted blob) from costing length x length work per candidate.
    const d = c === k ? 0 : Math.abs(c.length - k.length) > limit ? Infinity : distance(k, c);
    // A prefix of a long key (ssh_authorized for ssh_authorized_keys) also counts.
    const prefix = k.length >= 6 && c.startsWith(k) ? 1 : Infinity;
    const score = Math.min(d, prefix);
    if (score <= limit && score < bestD) {
      best = cand;
      bestD = score;
    }
  }
  return best;
}
