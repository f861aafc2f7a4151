// Errors a workspace can raise that a user must be able to act on: each says what happened and
// what to do, so the CLI and the desktop shell can show the message as it is.

export class WorkspaceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Another process (or another open Workspace in this process) holds the writer lock. */
export class WorkspaceInUseError extends WorkspaceError {
  constructor(
    readonly dir: string,
    readonly holder: string | undefined,
  ) {
    super(
      `workspace in use: ${dir} is open for writing by another Lontar process` +
        (holder ? ` (${holder})` : '') +
        '. Close it there first, or open this workspace read-only.',
    );
  }
}

/** The database was written by a newer Lontar; opening it would risk damaging it. */
export class NewerSchemaError extends WorkspaceError {
  constructor(
    readonly file: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `${file} has schema version ${found}, but this Lontar only knows versions up to ${known}: ` +
        'it was written by a newer Lontar. Upgrade Lontar to open it (the file was not changed).',
    );
  }
}

/** A read-only open found a database that still needs migrations. */
export class SchemaUpgradeNeededError extends WorkspaceError {
  constructor(file: string, found: number, known: number) {
    super(`${file} has schema version ${found} and needs upgrading to ${known}; open it once for writing to migrate it (\`lontar workspace init <dir>\` does).`);
  }
}

export class NotAWorkspaceError extends WorkspaceError {}
