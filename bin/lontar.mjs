#!/usr/bin/env node
// The `lontar` command: loads the TypeScript sources through tsx, then hands over to main/cli.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/cli/index.ts');
process.exitCode = await main(process.argv);
