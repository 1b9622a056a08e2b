// Runs a command and kills it when the parent process is gone, so DynamoDB Local's Java never
// outlives a test run or `npm start` that was killed without running its teardown.
// Usage: node watchdog.mjs <parentPid> <command> [args...]
import { spawn } from 'node:child_process';

const [parentArg, command, ...args] = process.argv.slice(2);
const parentPid = Number(parentArg);
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });

const stop = (code) => {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  process.exit(code);
};
const parentAlive = () => {
  try {
    process.kill(parentPid, 0);
    return true;
  } catch {
    return false;
  }
};

setInterval(() => {
  if (!parentAlive()) stop(0);
}, 500).unref();
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => stop(0));
child.on('exit', (code) => process.exit(code ?? 1));
child.on('error', (error) => {
  console.error(`watchdog: could not start ${command}: ${error.message}`);
  process.exit(127);
});
