// How the Review view words an answer, and the small checks its keyboard handling needs.

import type { ReviewAnswer, ReviewItem } from '../../../../main/api/contract/index';
import { t } from '../../strings/index';

export const emptyAnswer = (): ReviewAnswer => ({ label: null, flagged: false, note: null });

/** "accepted: positive · flagged · note" — an item's answer in one line. */
export function answerText(item: Pick<ReviewItem, 'answer' | 'predicted'>): string {
  const a = item.answer;
  if (!a) return t.review.unanswered;
  const parts: string[] = [];
  if (a.label !== null) parts.push(a.label === item.predicted ? t.review.accepted(a.label) : t.review.corrected(a.label));
  if (a.flagged) parts.push(t.review.flaggedOnly);
  if (a.note) parts.push(`${t.review.note}: ${a.note}`);
  return parts.join(' · ');
}

/** Keys typed into a field are text, not shortcuts. */
export function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || (target instanceof HTMLElement && target.isContentEditable);
}
