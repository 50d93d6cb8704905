// Storage of the audit trail. Each writer (a platform process) owns a chain: it starts one, keeps its
// head in memory and appends a batch in one statement that also moves the head — only if the head is
// where the writer left it, so a chain is never forked. A batch is stored as one block row (decision
// 0020); verification walks every chain event by event.
import { hash as digest, randomUUID } from 'node:crypto';
import type { Database, Queryable } from './db/driver.js';

export interface AuditRecord {
  id: string;
  /** ISO instant, as in the AuditEvent. */
  recorded: string;
  tenant: string;
  /** The client (or `anonymous`). */
  agent: string;
  /** The event's content as compact JSON (no line breaks): stored as it is, unescaped. */
  content: string;
  /** `{tenant}/{Type}/{id}` of every record the event is about. */
  entities: string[];
}

export interface ChainHead {
  chain: string;
  seq: number;
  hash: string;
}

/** One stored block: consecutive events of a chain, and the hashes of all their search keys. */
export interface AuditBlock {
  chain: string;
  firstSeq: number;
  lastSeq: number;
  /** The hashes of the block's keys, as stored (keyHashes). */
  keyHashes: string[];
  /** The events as stored, unparsed (verification reports text it cannot read as altered). */
  events: string;
}

/** What identifies an event and finds it: a stored line's header. */
interface EventHeader {
  seq: number;
  id: string;
  recorded: string;
  tenant: string;
  agent: string;
  /** What searches find it by: the block's keys are checked against them. */
  entities: string[];
}

/** An event as read from a block, of either format. */
export interface BlockEvent extends EventHeader {
  hash: string;
  /** The predecessor's hash as the event stores it: only blocks of the first format store it. */
  prevHash?: string;
  /** What its hash covers besides its predecessor's hash and its chain (chainHash). */
  hashed: string;
  /** The content as handed over (JSON). */
  content: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** The hash of one link of a chain: its predecessor's hash, the chain and the event's hashed text. */
export function chainHash(prevHash: string, chain: string, hashed: string): string {
  return digest('sha256', `${prevHash}\n${chain}\n${hashed}`, 'hex');
}

// Blocks are stored one event per line (decision 0023): `{hash} {header}\t{content}`, the header the
// JSON of the event's EventHeader, the content as handed over. The hash covers everything after
// `{hash} `, so verifying hashes the text as stored — nothing is serialised again — and neither
// verifying nor filtering a search parses the content. (Compact JSON has no raw line break or tab.)

/**
 * The first format, before decision 0023: a JSON array of events, each with its content as a JSON
 * string and its predecessor's hash, hashed over their fields joined by line breaks. Still read.
 */
interface ArrayEvent extends EventHeader {
  content: string;
  prevHash: string;
  hash: string;
}

/** What an event of the first format's hash covers: the fields it is built from, joined by line breaks. */
export function arrayEventHashed(r: Omit<AuditRecord, 'entities'> & { seq: number }): string {
  return `${r.seq}\n${r.id}\n${r.recorded}\n${r.tenant}\n${r.agent}\n${r.content}`;
}

const HASH_LENGTH = GENESIS_HASH.length;

/** A block's events in order; throws on text that is neither format (an altered block). */
export function readBlockEvents(events: string): BlockEvent[] {
  if (events.startsWith('[')) {
    const stored = JSON.parse(events) as ArrayEvent[];
    if (!Array.isArray(stored)) throw new Error('not an array of events');
    return stored.map((e) => {
      if (typeof e !== 'object' || e === null || !Array.isArray(e.entities) || typeof e.content !== 'string') throw new Error('not an event');
      return { seq: e.seq, id: e.id, recorded: e.recorded, tenant: e.tenant, agent: e.agent, entities: e.entities, hash: e.hash, prevHash: e.prevHash, hashed: arrayEventHashed(e), content: e.content };
    });
  }
  return events.split('\n').map((line) => {
    const tab = line.indexOf('\t');
    if (line[HASH_LENGTH] !== ' ' || tab < 0) throw new Error('not an event line');
    const h = JSON.parse(line.slice(HASH_LENGTH + 1, tab)) as EventHeader;
    if (typeof h !== 'object' || h === null || !Array.isArray(h.entities)) throw new Error('not an event header');
    // Field by field: spreading the header made reading a block two and a half times slower.
    return { seq: h.seq, id: h.id, recorded: h.recorded, tenant: h.tenant, agent: h.agent, entities: h.entities, hash: line.slice(0, HASH_LENGTH), hashed: line.slice(HASH_LENGTH + 1), content: line.slice(tab + 1) };
  });
}

/** What a block is found by: the client of each of its events and every record they name. */
export function blockKeys(events: readonly { agent: string; entities: readonly string[] }[]): string[] {
  const keys = new Set<string>();
  for (const e of events) {
    keys.add(agentKey(e.agent));
    for (const entity of e.entities) keys.add(entityKey(entity));
  }
  return [...keys].sort();
}

const agentKey = (agent: string): string => `agent:${agent}`;
const entityKey = (entity: string): string => `entity:${entity}`;

/**
 * What a block's keys are stored and searched as (decision 0025): each key's 64-bit hash, the first
 * eight bytes of its SHA-256, here as 16 hex digits. The database stores them as signed bigints
 * (fromHex, TO_HEX), as migration 15 computes them in SQL.
 */
const keyHash = (key: string): string => digest('sha256', key).slice(0, 16);

/** The hashes of keys, sorted. */
export function keyHashes(keys: readonly string[]): string[] {
  return keys.map(keyHash).sort();
}

/** Key hashes as the signed 64-bit integers stored, in decimal (for a bigint[] parameter). */
export function keyHashesStored(keys: readonly string[]): string[] {
  return keyHashes(keys).map((h) => BigInt.asIntN(64, BigInt(`0x${h}`)).toString());
}

/** SQL: the text[] parameter `param` of 16-hex-digit hashes as the bigint[] stored. */
const fromHex = (param: string): string => `ARRAY(SELECT ('x' || h)::bit(64)::bigint FROM unnest(${param}::text[]) h)`;
/** SQL: the stored bigint[] of a block as 16-hex-digit hashes (a JavaScript number would lose digits). */
const TO_HEX = `ARRAY(SELECT lpad(to_hex(h), 16, '0') FROM unnest(key_hashes) h)`;

/** Starts a new chain for a writer. */
export async function startAuditChain(q: Queryable): Promise<ChainHead> {
  const head = { chain: randomUUID(), seq: 0, hash: GENESIS_HASH };
  await q.query('INSERT INTO audit_chain (chain, seq, hash) VALUES ($1, $2, $3)', [head.chain, head.seq, head.hash]);
  return head;
}

export async function readChainHead(q: Queryable, chain: string): Promise<ChainHead> {
  const [row] = await q.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM audit_chain WHERE chain = $1', [chain]);
  return { chain, seq: Number(row.seq), hash: row.hash };
}

const NEWLINE = 0x0a;
const TAB = 0x09;
const SPACE = 0x20;
/** A block's text starts this large and doubles as it needs to. */
const INITIAL_BLOCK_BYTES = 64 * 1024;

/**
 * Events linked one after another from a chain's head and written, as each comes, straight into the
 * bytes of one block (appendBlock stores it). Once an event is added, only its bytes (outside the
 * JavaScript heap) and its keys in the block's sets remain, so the events waiting to be written cost the
 * garbage collector next to nothing to keep (decision 0028).
 */
export class AuditBlockBuilder {
  /** The chain's head with the block's last event appended (`start` while it has none). */
  head: ChainHead;
  count = 0;
  recordedFrom = '';
  recordedTo = '';
  private bytes = Buffer.allocUnsafe(INITIAL_BLOCK_BYTES);
  private length = 0;
  private readonly agents = new Set<string>();
  private readonly entities = new Set<string>();
  /** Of each key as it is first met, so that writing the block has no burst of hashing to do. */
  private readonly hashes: string[] = [];

  /** `start`: the chain's head before the block's first event. */
  constructor(readonly start: ChainHead) {
    this.head = start;
  }

  /** Links the event after the block's last one and appends its line; throws, adding nothing, on content that is not one line. */
  add(r: AuditRecord): void {
    // A line break would split the line (compact JSON has none): refused rather than stored unreadable.
    if (r.content.includes('\n')) throw new Error(`audit event ${r.id}: content must be compact JSON, without line breaks`);
    const seq = this.head.seq + 1;
    const entities = r.entities.length > 1 ? [...new Set(r.entities)] : r.entities;
    const header: EventHeader = { seq, id: r.id, recorded: r.recorded, tenant: r.tenant, agent: r.agent, entities };
    const headerJson = JSON.stringify(header);
    // The hash covers `{prevHash}\n{chain}\n{hashed}` (chainHash): the hashed text is written after room
    // for that prefix, hashed in place, then moved up to follow its own hash as `{hash} {hashed}`.
    const prefix = `${this.head.hash}\n${this.head.chain}\n`;
    const lineStart = this.length + (this.count ? 1 : 0);
    this.reserve(lineStart + 3 * (prefix.length + headerJson.length + 1 + r.content.length));
    const hashedStart = lineStart + this.bytes.write(prefix, lineStart);
    let end = hashedStart + this.bytes.write(headerJson, hashedStart);
    this.bytes[end++] = TAB;
    end += this.bytes.write(r.content, end);
    const hash = digest('sha256', this.bytes.subarray(lineStart, end), 'hex');
    const lineHashed = lineStart + HASH_LENGTH + 1;
    this.bytes.copyWithin(lineHashed, hashedStart, end);
    this.bytes.write(hash, lineStart, 'latin1');
    this.bytes[lineStart + HASH_LENGTH] = SPACE;
    if (this.count) this.bytes[this.length] = NEWLINE;
    this.length = lineHashed + (end - hashedStart);
    this.head = { chain: this.head.chain, seq, hash };
    if (!this.count || r.recorded < this.recordedFrom) this.recordedFrom = r.recorded;
    if (!this.count || r.recorded > this.recordedTo) this.recordedTo = r.recorded;
    if (!this.agents.has(r.agent)) {
      this.agents.add(r.agent);
      this.hashes.push(keyHash(agentKey(r.agent)));
    }
    for (const e of entities) {
      if (this.entities.has(e)) continue;
      this.entities.add(e);
      this.hashes.push(keyHash(entityKey(e)));
    }
    this.count++;
  }

  /** The block's events as stored: one line each. */
  text(): string {
    return this.bytes.toString('utf8', 0, this.length);
  }

  /** The hashes of the block's keys, sorted (as keyHashes gives them). */
  keyHashes(): string[] {
    return [...this.hashes].sort();
  }

  private reserve(bytes: number): void {
    if (bytes <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(bytes, 2 * this.bytes.length));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }
}

/**
 * Appends a block in one statement; returns the chain's new head, or undefined when the chain's head in
 * the database is no longer the block's start (nothing is written then).
 */
export async function appendBlock(db: Database, block: AuditBlockBuilder): Promise<ChainHead | undefined> {
  if (!block.count) throw new Error('an audit block must hold at least one event');
  const [moved] = await db.query<{ n: string | number }>(
    `WITH head AS (UPDATE audit_chain SET seq = $3, hash = $4 WHERE chain = $1 AND seq = $2 RETURNING chain),
     block AS (INSERT INTO audit_block (chain, first_seq, last_seq, recorded_from, recorded_to, key_hashes, events)
       SELECT chain, $2 + 1, $3, $5, $6, ${fromHex('$7')}, $8 FROM head)
     SELECT count(*) AS n FROM head`,
    [block.start.chain, block.start.seq, block.head.seq, block.head.hash, block.recordedFrom, block.recordedTo, block.keyHashes(), block.text()],
  );
  return Number(moved.n) === 1 ? block.head : undefined;
}

/** Links records after `head` and appends them as one block (see appendBlock). */
export function appendAudit(db: Database, head: ChainHead, records: readonly AuditRecord[]): Promise<ChainHead | undefined> {
  const block = new AuditBlockBuilder(head);
  for (const r of records) block.add(r);
  return appendBlock(db, block);
}

/** The records of a block's events, as they were handed over: to link them into a chain afresh. */
export function blockRecords(events: string): AuditRecord[] {
  return readBlockEvents(events).map((e) => ({ id: e.id, recorded: e.recorded, tenant: e.tenant, agent: e.agent, content: e.content, entities: e.entities }));
}

/** Every chain's head. */
export async function auditChains(q: Queryable): Promise<ChainHead[]> {
  return (await q.query<{ chain: string; seq: string | number; hash: string }>('SELECT chain, seq, hash FROM audit_chain ORDER BY started, chain')).map((r) => ({ chain: r.chain, seq: Number(r.seq), hash: r.hash }));
}

/**
 * One chain's blocks in order, a page at a time: at most 1,000 blocks and, past the first, about
 * `eventsPerPage` events (a page never holds more than one block beyond that).
 */
export async function* scanAuditBlocks(q: Queryable, chain: string, eventsPerPage = 5000): AsyncGenerator<AuditBlock[]> {
  const page = async (after: number): Promise<AuditBlock[]> => {
    // The window sum reads only the bounds; a block's events are fetched only for the blocks kept.
    const rows = await q.query<{ first_seq: string | number; last_seq: string | number; key_hashes: string[]; events: string }>(
      `SELECT first_seq, last_seq, key_hashes, events FROM (
         SELECT first_seq, last_seq, ${TO_HEX} AS key_hashes, events, sum(last_seq - first_seq + 1) OVER (ORDER BY first_seq) AS upto
         FROM audit_block WHERE chain = $1 AND first_seq > $2 ORDER BY first_seq LIMIT 1000) b
       WHERE upto - (last_seq - first_seq + 1) < $3 ORDER BY first_seq`,
      [chain, after, eventsPerPage],
    );
    return rows.map((r) => ({ chain, firstSeq: Number(r.first_seq), lastSeq: Number(r.last_seq), keyHashes: r.key_hashes, events: r.events }));
  };
  // The next page is asked for before this one is handed over: the database reads it while the caller
  // checks this one.
  let next = page(0);
  for (;;) {
    const blocks = await next;
    if (!blocks.length) return;
    next = page(blocks[blocks.length - 1].firstSeq);
    // A caller that stops early leaves the read ahead unawaited: its failure is of no interest then.
    next.catch(() => undefined);
    yield blocks;
  }
}

/** Events of chains that have no head row (a chain whose head was deleted): found by verification. */
export async function orphanedAuditChains(q: Queryable): Promise<string[]> {
  return (await q.query<{ chain: string }>('SELECT DISTINCT b.chain FROM audit_block b LEFT JOIN audit_chain c ON c.chain = b.chain WHERE c.chain IS NULL')).map((r) => r.chain);
}
