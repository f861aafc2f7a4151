// Command groups of the CLI, in help order. Each module exports `register(program)`.

import type { Command } from 'commander';
import { registerEngine } from './engine';

export const commandGroups: ((program: Command) => void)[] = [registerEngine];
