// NATS JetStream for the suites that start distributed processes: each suite gets its own namespace
// (streams, subjects, consumers), deleted afterwards.
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ChangeStream } from '../../src/federation/index.js';

export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

export async function natsReachable(): Promise<boolean> {
  try {
    const nc = await connect({ servers: NATS_URL, timeout: 2000 });
    await jetstreamManager(nc);
    await nc.close();
    return true;
  } catch {
    if (process.env.CI) throw new Error(`NATS with JetStream is not reachable at ${NATS_URL}; CI must test the distributed topology on it`);
    console.warn(`[tests] NATS with JetStream not reachable at ${NATS_URL}: skipping the suites that need it`);
    return false;
  }
}

/** A namespace of its own, and a function that deletes every stream in it. */
export function natsNamespace(prefix: string): { namespace: string; cleanup(): Promise<void> } {
  const namespace = `${prefix}-${randomBytes(4).toString('hex')}`;
  return { namespace, cleanup: () => ChangeStream.deleteNamespace(NATS_URL, namespace) };
}
