#!/usr/bin/env node
// The `rtc-signal` command: runs the TypeScript server through tsx's loader (see src/server/cli.ts).
import { register } from 'tsx/esm/api';

register();
await import('../src/server/cli.ts');
