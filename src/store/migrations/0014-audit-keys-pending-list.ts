// The GIN index over the audit blocks' keys takes new entries into a pending list and merges it into
// the index once the list is full. At PostgreSQL's default (4 MB, about 700 blocks' keys) the append
// that fills it merges for about a quarter of a second of one core — every half minute at a busy
// platform's rate — and the requests answered meanwhile share the machine with it. Merged at 128 kB
// (about 20 blocks) each merge takes tens of milliseconds, for about the same work in all (decision 0024).
export const name = 'audit-keys-pending-list';

export const sql = 'ALTER INDEX audit_block_keys SET (gin_pending_list_limit = 128)';
