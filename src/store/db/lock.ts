// PGlite is PostgreSQL inside one process: two processes opening the same data directory would
// corrupt it. The first to open writes its pid into a lock file; others are refused while it lives.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirInUseError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the directory for this process; returns the release function. */
export function lockDataDir(dir: string): () => void {
  const file = join(dir, 'scip.lock');
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const holder = Number(readFileSync(file, 'utf8'));
    if (holder && holder !== process.pid && alive(holder)) {
      throw new DataDirInUseError(`The embedded database in ${dir} is in use by process ${holder}; stop it first (or use DATABASE_URL for several processes)`);
    }
    // A lock left by a process that crashed: take it over.
    writeFileSync(file, String(process.pid));
  }
  return () => {
    try {
      if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
    } catch {
      // already gone
    }
  };
}
