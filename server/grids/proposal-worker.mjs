// Worker-thread entry for the grid editor's proposals (server/grids/proposal-runner.ts). Plain
// JavaScript because Node starts a worker from a .js/.mjs file only, and the TypeScript loader
// that `node --import tsx` installs does not reach worker threads on Node 20: so register it here
// and load the TypeScript job module named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
