// The worker side of the grid editor's proposals (server/grids/proposal-runner.ts): runs the pure
// engine — "Partition this community" (core/grid-edit/propose.ts) and "Rebalance"
// (core/grid-edit/rebalance.ts) — on one message at a time and posts the result back. An error
// thrown by the engine is reported as a message (the runner answers 422 proposal_failed).
import { parentPort, workerData } from 'node:worker_threads';
import { proposePartition, type Proposal, type ProposeInput } from '../../core/grid-edit/propose.js';
import { rebalance, type RebalanceInput, type RebalanceResult } from '../../core/grid-edit/rebalance.js';

/** A job as posted to the worker (structured-clonable: new grids are named `${namePrefix}${n}`). */
export type ProposalJob =
  | { kind: 'partition'; input: Omit<ProposeInput, 'name'> & { namePrefix?: string } }
  | { kind: 'rebalance'; input: RebalanceInput };
export type ProposalOutput<K extends ProposalJob['kind']> = K extends 'partition' ? Proposal : RebalanceResult;

export type JobRequest = { id: number; job: ProposalJob };
export type JobReply = { id: number; ok: true; value: Proposal | RebalanceResult } | { id: number; ok: false; message: string };

export function runJob(job: ProposalJob): Proposal | RebalanceResult {
  if (job.kind === 'partition') {
    const { namePrefix, ...input } = job.input;
    return proposePartition({ ...input, name: namePrefix === undefined ? undefined : (n) => `${namePrefix}${n}` });
  }
  return rebalance(job.input);
}

// Only in the proposal worker (not when a test runner's own worker thread imports this module).
if ((workerData as { proposalWorker?: boolean } | null)?.proposalWorker) parentPort?.on('message', (req: JobRequest) => {
  let reply: JobReply;
  try {
    reply = { id: req.id, ok: true, value: runJob(req.job) };
  } catch (e) {
    reply = { id: req.id, ok: false, message: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
