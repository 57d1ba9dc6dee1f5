// `npm start`: on a fresh clone, install dependencies, build the client, then run the server.
// Plain Node ESM with no dependencies: it runs before node_modules exists.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { ensureClientBuilt, ensureDependencies, loadDotEnv, log, ROOT } from './lib/ensure.mjs';

async function main() {
  const fromEnvFile = loadDotEnv();
  if (fromEnvFile.length) log(`loaded .env (${fromEnvFile.join(', ')})`);

  await ensureDependencies();
  await ensureClientBuilt();

  log('starting the server… / 正在启动服务…');
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: process.env,
    stdio: 'inherit',
  });

  // Forward termination signals. One Ctrl-C under `npm start` arrives several times (from the
  // terminal and again from npm), so repeats are forwarded as they are rather than escalated; a
  // server that has not exited 20 s after the first signal is killed.
  let killTimer = null;
  const forward = (signal) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    killTimer ??= setTimeout(() => {
      log('server did not stop within 20 s; killing it');
      child.kill('SIGKILL');
    }, 20_000);
    killTimer.unref();
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => forward(sig));

  child.once('error', (err) => {
    log(`could not start the server: ${err.message}`);
    process.exit(1);
  });
  child.once('exit', (code, signal) => {
    if (signal) {
      // Conventional shell status for a process ended by a signal.
      process.exit(128 + (constants.signals[signal] ?? 1));
    }
    if (code !== 0) log(`server exited with code ${code} / 服务异常退出`);
    process.exit(code ?? 1);
  });
}

main().catch((err) => {
  log(`start failed / 启动失败: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
