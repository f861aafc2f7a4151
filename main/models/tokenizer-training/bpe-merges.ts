// Byte-pair-encoding merges: learning them from word counts, and applying them to a word.
//
// Learning is the classic algorithm (Sennrich et al.) kept exact and fast: pair counts are updated
// only for the words that contain the merged pair, and the most frequent pair comes from a heap with
// lazy deletion. Ties go to the pair whose (left, right) strings sort first, so the result depends
// only on the word counts, never on iteration order: the same corpus always gives the same merges.

export type Merge = readonly [string, string];

export interface LearnMergesOptions {
  /** Merges to learn at most (fewer when no pair reaches `minFrequency`). */
  count: number;
  /** A pair seen fewer times than this is never merged (default 2). */
  minFrequency?: number;
}

/** Room for a million symbols per side of a pair key. */
const SHIFT = 2 ** 20;

interface HeapEntry {
  count: number;
  key: number;
}

/** Learns merges from words already in their base alphabet (one symbol per code point). */
export function learnBpeMerges(words: ReadonlyMap<string, number>, options: LearnMergesOptions): Merge[] {
  const minFrequency = options.minFrequency ?? 2;
  const symbols: string[] = [];
  const symbolIds = new Map<string, number>();
  const idOf = (s: string) => {
    let id = symbolIds.get(s);
    if (id === undefined) {
      id = symbols.length;
      symbols.push(s);
      symbolIds.set(s, id);
    }
    return id;
  };
  const split: number[][] = [];
  const freq: number[] = [];
  for (const [word, n] of words) {
    split.push(Array.from(word, idOf));
    freq.push(n);
  }
  if (symbols.length >= SHIFT) throw new RangeError(`too many distinct symbols (${symbols.length})`);

  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const countPairs = (w: number, sign: 1 | -1, changed: Set<number> | null) => {
    const ids = split[w]!;
    for (let i = 0; i + 1 < ids.length; i++) {
      const key = ids[i]! * SHIFT + ids[i + 1]!;
      pairCount.set(key, (pairCount.get(key) ?? 0) + sign * freq[w]!);
      changed?.add(key);
      if (sign > 0) {
        let set = pairWords.get(key);
        if (!set) pairWords.set(key, (set = new Set()));
        set.add(w);
      }
    }
  };
  for (let w = 0; w < split.length; w++) countPairs(w, 1, null);

  const before = (x: HeapEntry, y: HeapEntry): boolean => {
    if (x.count !== y.count) return x.count > y.count;
    const [xa, xb, ya, yb] = [symbols[Math.floor(x.key / SHIFT)]!, symbols[x.key % SHIFT]!, symbols[Math.floor(y.key / SHIFT)]!, symbols[y.key % SHIFT]!];
    return xa !== ya ? xa < ya : xb < yb;
  };
  const heap = new Heap<HeapEntry>(before);
  for (const [key, count] of pairCount) if (count >= minFrequency) heap.push({ count, key });

  const merges: Merge[] = [];
  const learned = new Set<number>();
  while (merges.length < options.count) {
    const top = heap.pop();
    if (!top) break;
    if (pairCount.get(top.key) !== top.count) continue; // stale: the count changed since it was pushed
    const [a, b] = [Math.floor(top.key / SHIFT), top.key % SHIFT];
    // A pair can come back when a later merge rebuilds one of its symbols; merge it again, list it once.
    if (!learned.has(top.key)) merges.push([symbols[a]!, symbols[b]!]);
    learned.add(top.key);
    const merged = idOf(symbols[a]! + symbols[b]!);
    const changed = new Set<number>();
    for (const w of pairWords.get(top.key) ?? []) {
      const next = mergeInWord(split[w]!, a, b, merged);
      if (!next) continue;
      countPairs(w, -1, changed);
      split[w] = next;
      countPairs(w, 1, changed);
    }
    pairWords.delete(top.key);
    for (const key of changed) {
      const count = pairCount.get(key)!;
      if (count <= 0) pairCount.delete(key);
      else if (count >= minFrequency) heap.push({ count, key });
    }
  }
  return merges;
}

/** The word with every non-overlapping (a, b), left to right, replaced by `merged`; null if none. */
function mergeInWord(ids: readonly number[], a: number, b: number, merged: number): number[] | null {
  let out: number[] | null = null;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] === a && ids[i + 1] === b) {
      out ??= ids.slice(0, i);
      out.push(merged);
      i++;
    } else out?.push(ids[i]!);
  }
  return out;
}

/** Merge ranks by "left right" key (byte-level symbols never contain a space). */
export function mergeRanks(merges: readonly Merge[]): Map<string, number> {
  const ranks = new Map<string, number>();
  merges.forEach(([a, b], i) => {
    const key = `${a} ${b}`;
    if (!ranks.has(key)) ranks.set(key, i);
  });
  return ranks;
}

/** Tokens of one pre-tokenized word under the merges, as a BPE model computes them (lowest rank first). */
export function applyMerges(word: string, ranks: ReadonlyMap<string, number>): string[] {
  let parts = Array.from(word);
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < parts.length; i++) {
      const rank = ranks.get(`${parts[i]} ${parts[i + 1]}`);
      if (rank !== undefined && rank < bestRank) [best, bestRank] = [i, rank];
    }
    if (best < 0) return parts;
    const [a, b] = [parts[best]!, parts[best + 1]!];
    const next: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      if (parts[i] === a && parts[i + 1] === b) {
        next.push(a + b);
        i++;
      } else next.push(parts[i]!);
    }
    parts = next;
  }
}

/** Merges that join pieces left to right into one token: [p0,p1], [p0p1,p2], ... */
export function joiningMerges(pieces: readonly string[]): Merge[] {
  const out: Merge[] = [];
  let built = pieces[0] ?? '';
  for (const piece of pieces.slice(1)) {
    out.push([built, piece]);
    built += piece;
  }
  return out;
}

/** A binary heap ordered by `before` (the entry that should come out first). */
class Heap<T> {
  private readonly items: T[] = [];
  constructor(private readonly before: (x: T, y: T) => boolean) {}

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const [l, r] = [2 * i + 1, 2 * i + 2];
      let best = i;
      if (l < items.length && this.before(items[l]!, items[best]!)) best = l;
      if (r < items.length && this.before(items[r]!, items[best]!)) best = r;
      if (best === i) return top;
      [items[i], items[best]] = [items[best]!, items[i]!];
      i = best;
    }
  }
}
