// Which results Compare shows, kept across visits and settable from elsewhere (the first-run path
// opens Compare on the demo experiment): "experiment:<name>" or "pipeline:<competence run id>".

export const compareChoice = $state<{ key: string | null }>({ key: null });

export const experimentKey = (name: string): string => `experiment:${name}`;
export const pipelineKey = (competenceRunId: number): string => `pipeline:${competenceRunId}`;

export function parseKey(key: string): { experiment: string } | { competenceRunId: number } {
  return key.startsWith('pipeline:') ? { competenceRunId: Number(key.slice('pipeline:'.length)) } : { experiment: key.slice('experiment:'.length) };
}
