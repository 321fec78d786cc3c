#!/usr/bin/env node
// The `taqaddum` command (package.json "bin"). `npm run build` makes the built file executable.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
