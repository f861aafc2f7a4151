// Shared CLI plumbing: user-facing errors with exit codes, and JSON-or-text output.

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Errors that describe a problem with the user's files or options, not a bug: shown without a stack. */
const USER_ERRORS = new Set([
  'ModelConfigError',
  'SafetensorsError',
  'TensorLayoutError',
  'TokenizerFileError',
  'LabelWordError',
  'TemplateError',
  'TaskError',
  'OutputFolderError',
  'PatchError',
  'PatchBaseMismatchError',
  'UnsupportedArchitectureError',
  'PoolLeakError',
  'CircuitEditError',
  'JobConfigError',
  'ZodError',
]);

export function isUserError(e: unknown): e is Error {
  return e instanceof Error && (USER_ERRORS.has(e.name) || (e as NodeJS.ErrnoException).code === 'ENOENT');
}

/** Prints `value` as JSON when the caller asked for machine output, else the human text. */
export function emit(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}
