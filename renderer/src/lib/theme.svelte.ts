// Light and dark themes: CSS variables switched by data-theme on <html>; the first choice follows
// the system, later choices are remembered. Charts read the same variables (themeColors).

export type Theme = 'light' | 'dark';
const KEY = 'lontar.theme';

function initial(): Theme {
  const saved = localStorage.getItem(KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

class ThemeState {
  current = $state<Theme>(initial());

  constructor() {
    document.documentElement.dataset['theme'] = this.current;
  }

  toggle(): void {
    this.current = this.current === 'light' ? 'dark' : 'light';
    document.documentElement.dataset['theme'] = this.current;
    localStorage.setItem(KEY, this.current);
  }
}

export const theme = new ThemeState();

/** The theme's colours, for charts (read after the theme attribute changed). */
export function themeColors() {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string) => style.getPropertyValue(name).trim();
  return {
    text: v('--text'),
    muted: v('--muted'),
    background: v('--surface'),
    border: v('--border'),
    accent: v('--accent'),
    scale: [v('--scale-low'), v('--scale-mid'), v('--scale-high')],
    series: [v('--series-1'), v('--series-2'), v('--series-3'), v('--series-4'), v('--series-5')],
  };
}
