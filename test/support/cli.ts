// Runs the `scip` CLI from source as a child process. Asynchronously: a synchronous spawn blocks the
// test worker's event loop for as long as the command runs, and a worker that cannot answer the test
// runner for 60 s (several CLI starts in a row on a slow machine) fails the run with an RPC timeout.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(import.meta.dirname, '..', '..', 'src/cli/main.ts');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function scip(env: Record<string, string | undefined>, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}
