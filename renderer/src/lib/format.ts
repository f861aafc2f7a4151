// Numbers and times as the interface shows them.

import { t } from '../strings/index';

export const integer = (x: number): string => x.toLocaleString('en');
export const fixed = (x: number, digits = 3): string => (Number.isFinite(x) ? x.toFixed(digits) : t.app.none);
export const percent = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;

export function compact(x: number): string {
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)} B`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return String(x);
}

export function bytes(x: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export const seconds = (s: number | null | undefined): string => (s == null || !Number.isFinite(s) ? t.app.none : t.jobs.seconds(s));
export const headName = (h: { layer: number; head: number }): string => `L${h.layer}H${h.head}`;
