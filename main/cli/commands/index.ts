// Command groups of the CLI, in help order. Each module exports `register(program)`.

import type { Command } from 'commander';
import { registerData } from './data';
import { registerEngine } from './engine';
import { registerWorkspace } from './workspace';

export const commandGroups: ((program: Command) => void)[] = [registerEngine, registerWorkspace, registerData];
