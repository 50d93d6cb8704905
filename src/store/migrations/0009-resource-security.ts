// The security labels of a resource's current version (`meta.security` as `system|code`), on its row:
// the access policy's label filter is then a predicate on the row rather than a join to sp_token
// (decision 0016). Filled from the index rows already written.
export const name = 'resource-security';

export const sql = `
ALTER TABLE resource ADD COLUMN security text[];
UPDATE resource r SET security = s.tokens
FROM (SELECT tenant, rtype, rid, array_agg(coalesce(system, '') || '|' || value) AS tokens FROM sp_token WHERE code = '_security' AND value IS NOT NULL GROUP BY tenant, rtype, rid) s
WHERE r.tenant = s.tenant AND r.type = s.rtype AND r.id = s.rid
`;
