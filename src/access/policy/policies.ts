// The policy in force: the newest stored version, installed from DEFAULT_POLICY on first start. Every
// process rechecks the stored version every few seconds, so a policy set on one node reaches the others.
import type { Repository } from '../../store/index.js';
import { DEFAULT_POLICY } from './default-policy.js';
import { checkPolicy } from './document.js';
import type { PolicyDocument } from './document.js';
import { PolicyEngine } from './engine.js';
import { Refreshed } from '../refreshed.js';

const RECHECK_MS = 5_000;

export class Policies {
  private readonly inForce: Refreshed<PolicyEngine>;

  private constructor(
    private readonly repo: Repository,
    private readonly knownTypes: ReadonlySet<string>,
    engine: PolicyEngine,
  ) {
    this.inForce = new Refreshed(engine, (held) => this.newer(held), RECHECK_MS);
  }

  static async load(repo: Repository, knownTypes: ReadonlySet<string>): Promise<Policies> {
    let stored = await repo.access.currentPolicy();
    if (!stored) {
      await repo.transaction(async (tx) => {
        await tx.lock('access-policy:install');
        if (!(await tx.access.currentPolicy())) await tx.access.savePolicy(DEFAULT_POLICY, 'platform (starter policy)');
      });
      stored = await repo.access.currentPolicy();
    }
    if (!stored) throw new Error('no access policy could be installed');
    return new Policies(repo, knownTypes, new PolicyEngine(checkPolicy(stored.document, knownTypes), stored.version));
  }

  /** The engine of the policy in force (a newer stored version is picked up within RECHECK_MS). */
  get engine(): PolicyEngine {
    return this.inForce.value;
  }

  /** Checks and stores a new version, and puts it in force here at once. */
  async set(document: unknown, author: string): Promise<PolicyEngine> {
    const checked: PolicyDocument = checkPolicy(document, this.knownTypes);
    const version = await this.repo.access.savePolicy(checked, author);
    if (version > this.inForce.value.version) this.inForce.hold(new PolicyEngine(checked, version));
    return this.inForce.value;
  }

  /** The stored policy when it is newer than the one held, else the one held. */
  private async newer(held: PolicyEngine): Promise<PolicyEngine> {
    const stored = await this.repo.access.currentPolicy();
    return stored && stored.version > held.version ? new PolicyEngine(checkPolicy(stored.document, this.knownTypes), stored.version) : held;
  }
}
