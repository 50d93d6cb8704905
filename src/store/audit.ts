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
    keys.add(`agent:${e.agent}`);
    for (const entity of e.entities) keys.add(`entity:${entity}`);
  }
  return [...keys].sort();
}

/**
 * What a block's keys are stored and searched as (decision 0025): each key's 64-bit hash, the first
 * eight bytes of its SHA-256, here as 16 hex digits, sorted. The database stores them as signed bigints
 * (fromHex, TO_HEX), as migration 15 computes them in SQL.
 */
export function keyHashes(keys: readonly string[]): string[] {
  return keys.map((k) => digest('sha256', k).slice(0, 16)).sort();
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

/** An event linked into its chain and serialised as its block stores it, ready to be appended. */
export interface SealedEvent {
  /** The chain's head with this event appended. */
  head: ChainHead;
  recorded: string;
  agent: string;
  entities: string[];
  /** The event's line in its block. */
  line: string;
}

/** Links events one after another from `head`: each its sequence number and its hash, which covers its predecessor's. */
export function sealAuditEvents(head: ChainHead, records: readonly AuditRecord[]): SealedEvent[] {
  let at = head;
  return records.map((r) => {
    // A line break would split the line (compact JSON has none): refused rather than stored unreadable.
    if (r.content.includes('\n')) throw new Error(`audit event ${r.id}: content must be compact JSON, without line breaks`);
    const seq = at.seq + 1;
    const entities = [...new Set(r.entities)];
    const header: EventHeader = { seq, id: r.id, recorded: r.recorded, tenant: r.tenant, agent: r.agent, entities };
    const hashed = `${JSON.stringify(header)}\t${r.content}`;
    const hash = chainHash(at.hash, at.chain, hashed);
    at = { chain: at.chain, seq, hash };
    return { head: at, recorded: r.recorded, agent: r.agent, entities, line: `${hash} ${hashed}` };
  });
}

/**
 * Appends events sealed one after another from `head` as one block, in one statement; returns the new
 * head, or undefined when the chain's head in the database is no longer `head` (nothing is written then).
 */
export async function appendSealed(db: Database, head: ChainHead, events: readonly SealedEvent[]): Promise<ChainHead | undefined> {
  const last = events[events.length - 1].head;
  let from = events[0].recorded;
  let to = from;
  for (const e of events) {
    if (e.recorded < from) from = e.recorded;
    if (e.recorded > to) to = e.recorded;
  }
  const [moved] = await db.query<{ n: string | number }>(
    `WITH head AS (UPDATE audit_chain SET seq = $3, hash = $4 WHERE chain = $1 AND seq = $2 RETURNING chain),
     block AS (INSERT INTO audit_block (chain, first_seq, last_seq, recorded_from, recorded_to, key_hashes, events)
       SELECT chain, $2 + 1, $3, $5, $6, ${fromHex('$7')}, $8 FROM head)
     SELECT count(*) AS n FROM head`,
    [head.chain, head.seq, last.seq, last.hash, from, to, keyHashes(blockKeys(events)), events.map((e) => e.line).join('\n')],
  );
  return Number(moved.n) === 1 ? last : undefined;
}

/** Seals and appends events after `head` (see appendSealed). */
export function appendAudit(db: Database, head: ChainHead, records: readonly AuditRecord[]): Promise<ChainHead | undefined> {
  return appendSealed(db, head, sealAuditEvents(head, records));
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

export interface AuditQuery {
  /** `{tenant}/{Type}/{id}` references; a platform person also stands for every source record linked to it. */
  entities?: string[];
  agent?: string;
  /** ISO instants, inclusive. */
  from?: string;
  to?: string;
  limit: number;
  offset: number;
  /**
   * Count every match even where that means reading the whole trail (a client's or a period's events).
   * Without it, a search is counted when it names records (their blocks are few) or has no filter at all.
   */
  total?: boolean;
}

export interface AuditPage {
  /** The page's events, newest first. */
  events: BlockEvent[];
  /** How many match in all, when counted. */
  total?: number;
  /** Whether events match beyond this page. */
  more: boolean;
}

interface Match {
  chain: string;
  event: BlockEvent;
}

const newestFirst = ({ chain: c, event: a }: Match, { chain: d, event: b }: Match): number =>
  a.recorded < b.recorded ? 1 : a.recorded > b.recorded ? -1 : c < d ? -1 : c > d ? 1 : b.seq - a.seq;

/** Blocks read per round trip while searching. */
const SEARCH_BLOCKS = 50;

/**
 * Events matching the query, newest first. Blocks are found by their keys and times, newest first, and
 * read until the page is certain: no block not yet read can hold an event newer than the page's last
 * (or, when counting, until every candidate block is read).
 */
export async function searchAudit(q: Queryable, query: AuditQuery, centralTenant: string): Promise<AuditPage> {
  let records: Set<string> | undefined;
  if (query.entities) {
    // A person's golden record stands for the records it links: reads of those are reads of the person.
    const persons = query.entities.filter((e) => e.startsWith(`${centralTenant}/Patient/`)).map((e) => e.slice(`${centralTenant}/Patient/`.length));
    const linked = persons.length
      ? await q.query<{ ref: string }>(`SELECT tenant || '/Patient/' || patient_id AS ref FROM person_link WHERE person_id = ANY($1::text[])`, [persons])
      : [];
    records = new Set([...query.entities, ...linked.map((r) => r.ref)]);
  }
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  // Blocks are found by key hashes; `matches` keeps only the events that really name what was asked for.
  // As bigints here, so that the index's condition is a plain parameter.
  if (records) add('key_hashes && ?::bigint[]', keyHashesStored([...records].map((r) => `entity:${r}`)));
  if (query.agent) add('key_hashes @> ?::bigint[]', keyHashesStored([`agent:${query.agent}`]));
  if (query.from) add('recorded_to >= ?', query.from);
  if (query.to) add('recorded_from <= ?', query.to);

  const unfiltered = where.length === 0;
  const countAll = !unfiltered && (query.total === true || records !== undefined);
  const matches = (e: BlockEvent): boolean =>
    (!records || e.entities.some((r) => records.has(r))) &&
    (!query.agent || e.agent === query.agent) &&
    (!query.from || e.recorded >= query.from) &&
    (!query.to || e.recorded <= query.to);

  // One more than the page: whether a next page exists.
  const wanted = query.offset + query.limit + 1;
  let found: Match[] = [];
  let counted = 0;
  const keepNewest = (): void => {
    found.sort(newestFirst);
    if (found.length > wanted) found = found.slice(0, wanted);
  };
  let cursor: unknown[] = [];
  for (;;) {
    const after = cursor.length ? `(recorded_to, chain, first_seq) < ($${params.length + 1}, $${params.length + 2}, $${params.length + 3})` : '';
    const filter = [...where, after].filter(Boolean);
    const blocks = await q.query<{ chain: string; first_seq: string | number; recorded_to: string; events: string }>(
      `SELECT chain, first_seq, recorded_to, events FROM audit_block ${filter.length ? `WHERE ${filter.join(' AND ')}` : ''}
       ORDER BY recorded_to DESC, chain DESC, first_seq DESC LIMIT ${SEARCH_BLOCKS}`,
      [...params, ...cursor],
    );
    for (const block of blocks) {
      for (const e of readBlockEvents(block.events)) {
        if (!matches(e)) continue;
        counted++;
        found.push({ chain: block.chain, event: e });
      }
      if (found.length > 4 * wanted) keepNewest();
    }
    if (blocks.length < SEARCH_BLOCKS) break;
    const last = blocks[blocks.length - 1];
    if (!countAll && found.length >= wanted) {
      keepNewest();
      if (found[wanted - 1].event.recorded > last.recorded_to) break;
    }
    cursor = [last.recorded_to, last.chain, last.first_seq];
  }
  keepNewest();
  let total: number | undefined = countAll ? counted : undefined;
  if (unfiltered) {
    const [all] = await q.query<{ n: string | number | null }>('SELECT sum(last_seq - first_seq + 1) AS n FROM audit_block');
    total = Number(all.n ?? 0);
  }
  return { events: found.slice(query.offset, query.offset + query.limit).map((m) => m.event), ...(total !== undefined ? { total } : {}), more: counted > query.offset + query.limit };
}
