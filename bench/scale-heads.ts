// The CT-SFT scope bench:scale trains: the paper's budget of 18 heads (3 iterations × 6 heads, about
// 5% of Qwen2.5-0.5B's 336), spread over the upper half where the paper finds its task heads. Which
// heads they are hardly changes the cost: the norms of every layer are trainable too, so the backward
// pass always reaches layer 0.

import type { Head } from '../main/circuits/heads';

export const PAPER_HEADS: readonly Head[] = Array.from({ length: 18 }, (_, i) => ({ layer: 12 + Math.floor((i * 2) / 3), head: (i * 5) % 14 }));
