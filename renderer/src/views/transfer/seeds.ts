// Seeds as people type them ("31, 777 2025"): whole numbers separated by commas or spaces.

export function parseSeeds(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0 || !parts.every((p) => /^\d+$/.test(p))) return null;
  return parts.map(Number);
}
