// Review: annotators judging a run's predictions, their agreement, and corrected labels as a new
// dataset version. Hosts reach this folder through here.

export * from './agreement';
export * from './queue';
export * from './review-agreement';
export * from './corrected-version';
export * from './review-service';
