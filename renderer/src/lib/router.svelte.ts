// Hash routes (#/datasets, #/circuits/3): they work from a file, a custom protocol and a server
// alike, and the Back button moves between views.

export const VIEWS = ['start', 'datasets', 'models', 'circuits', 'transfer', 'compare', 'review', 'jobs', 'export', 'people'] as const;
export type View = (typeof VIEWS)[number];

function parse(hash: string): { view: View; id: number | null } {
  const [, name, id] = /^#\/([a-z]+)(?:\/(\d+))?/.exec(hash) ?? [];
  const view = (VIEWS as readonly string[]).includes(name ?? '') ? (name as View) : 'start';
  return { view, id: id ? Number(id) : null };
}

class Router {
  current = $state(parse(window.location.hash));

  constructor() {
    window.addEventListener('hashchange', () => (this.current = parse(window.location.hash)));
  }

  go(view: View, id?: number | null): void {
    window.location.hash = `#/${view}${id != null ? `/${id}` : ''}`;
  }

  /**
   * Selects `id` in `view` once work the view started has finished (an import, a launch), unless the
   * person has moved to another view meanwhile: their choice wins over the view's follow-up.
   */
  selectIfStillIn(view: View, id: number): void {
    if (this.current.view === view) this.go(view, id);
  }
}

export const router = new Router();
