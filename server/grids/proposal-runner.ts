// Runs the grid editor's proposals ("Partition this community", "Rebalance") in a worker thread,
// so seconds of geometry on a large community never block the server's event loop (other
// requests, sockets, the wall). One worker, started on first use and stopped when idle; jobs
// queue behind it up to a limit. A job past its time limit stops the worker (a new one takes the
// next job) and answers 503 proposal_timeout; a full queue answers 503 proposal_busy; an error the
// engine throws on the data answers 422 proposal_failed. The API is unchanged: the routes
// (server/grids/proposals.ts) await the same results they used to compute in-process.
import { Worker } from 'node:worker_threads';
import { fail, ok, type Result } from '../http/errors.js';
import type { JobReply, JobRequest, ProposalJob, ProposalOutput } from './proposal-job.js';

export interface ProposalRunnerOptions {
  /** Longest a job may run, ms (default 60 s). */
  timeoutMs?: number;
  /** Jobs waiting behind the running one before new ones are refused (default 8). */
  maxQueue?: number;
  /** Stop the worker after this long without work, ms (default 5 min). */
  idleMs?: number;
}

interface Pending {
  id: number;
  job: ProposalJob;
  resolve: (r: Result<unknown>) => void;
  reject: (e: unknown) => void;
}

/** Seconds a client should wait before retrying after proposal_busy. */
export const PROPOSAL_RETRY_AFTER_S = 5;

export class ProposalRunner {
  private worker: Worker | null = null;
  private current: (Pending & { timer: NodeJS.Timeout }) | null = null;
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly timeoutMs: number;
  private readonly maxQueue: number;
  private readonly idleMs: number;
  /** Jobs run and workers started (for tests and the benchmark). */
  readonly counts = { jobs: 0, workers: 0, timeouts: 0 };

  constructor(opts: ProposalRunnerOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.maxQueue = opts.maxQueue ?? 8;
    this.idleMs = opts.idleMs ?? 5 * 60_000;
  }

  run<K extends ProposalJob['kind']>(job: ProposalJob & { kind: K }): Promise<Result<ProposalOutput<K>>> {
    if (this.queue.length >= this.maxQueue) {
      return Promise.resolve(fail('proposal_busy', `自动划分正忙（${this.queue.length + 1} 个任务在排队），请稍后重试`));
    }
    return new Promise<Result<ProposalOutput<K>>>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve: resolve as (r: Result<unknown>) => void, reject });
      this.pump();
    });
  }

  /** Stop the worker; queued and running jobs are refused as busy. */
  async close(): Promise<void> {
    const waiting = [...(this.current ? [this.current] : []), ...this.queue.splice(0)];
    if (this.current) clearTimeout(this.current.timer);
    this.current = null;
    for (const p of waiting) p.resolve(fail('proposal_busy', '服务正在停止，请稍后重试'));
    await this.stopWorker();
  }

  private startWorker(): Worker {
    const w = new Worker(new URL('./proposal-worker.mjs', import.meta.url), {
      workerData: { entry: new URL('./proposal-job.ts', import.meta.url).href, proposalWorker: true },
      // A larger young generation: the engine allocates many short-lived arrays (fewer scavenges).
      resourceLimits: { maxYoungGenerationSizeMb: 48, maxOldGenerationSizeMb: 2048 },
    });
    this.counts.workers++;
    w.on('message', (reply: JobReply) => this.settle(w, reply));
    w.on('error', (err: Error & { code?: string }) => this.crashed(w, err));
    w.on('exit', (code) => { if (this.worker === w) { this.worker = null; if (this.current) this.crashed(w, new Error(`proposal worker exited with code ${code}`)); } });
    return w;
  }

  private pump(): void {
    if (this.current || this.queue.length === 0) {
      if (!this.current && this.queue.length === 0) this.scheduleIdle();
      return;
    }
    if (this.idleTimer) { clearTimeout(this.idleTimer); this.idleTimer = null; }
    const p = this.queue.shift()!;
    const w = (this.worker ??= this.startWorker());
    w.ref();
    const timer = setTimeout(() => this.timedOut(w, p.id), this.timeoutMs);
    this.current = { ...p, timer };
    this.counts.jobs++;
    w.postMessage({ id: p.id, job: p.job } satisfies JobRequest);
  }

  private settle(w: Worker, reply: JobReply): void {
    const p = this.current;
    if (w !== this.worker || !p || p.id !== reply.id) return; // a stopped worker's late answer
    clearTimeout(p.timer);
    this.current = null;
    w.unref();
    p.resolve(reply.ok ? ok(reply.value) : fail('proposal_failed', `无法生成方案：${reply.message}`));
    this.pump();
  }

  private timedOut(w: Worker, id: number): void {
    const p = this.current;
    if (!p || p.id !== id || w !== this.worker) return;
    this.current = null;
    this.counts.timeouts++;
    this.worker = null;
    void w.terminate();
    p.resolve(fail('proposal_timeout', `自动划分超过 ${Math.round(this.timeoutMs / 1000)} 秒未完成，已停止；未做任何修改`));
    this.pump();
  }

  private crashed(w: Worker, err: Error & { code?: string }): void {
    if (w !== this.worker && this.worker !== null) return;
    this.worker = null;
    void w.terminate();
    const p = this.current;
    this.current = null;
    if (p) {
      clearTimeout(p.timer);
      // Out of memory is the data's size; anything else is a bug (500).
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') p.resolve(fail('proposal_failed', '无法生成方案：社区数据超出内存上限'));
      else p.reject(err);
    }
    this.pump();
  }

  private scheduleIdle(): void {
    if (!this.worker || this.idleTimer) return;
    this.idleTimer = setTimeout(() => { this.idleTimer = null; if (!this.current && this.queue.length === 0) void this.stopWorker(); }, this.idleMs);
    this.idleTimer.unref();
  }

  private async stopWorker(): Promise<void> {
    if (this.idleTimer) { clearTimeout(this.idleTimer); this.idleTimer = null; }
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

/** The process's runner, shared by every app instance (one worker for the whole server). */
export const proposalRunner = new ProposalRunner();
