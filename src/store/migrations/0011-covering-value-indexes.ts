// The value indexes of the index tables carry the resource id (INCLUDE), so a selective search filter
// is answered by an index-only scan that yields the matching ids, and several such filters intersect
// those id sets before any resource row is read (decision 0018). Each replaces the index on the same
// key: the search is by the same columns, the rows are wider.
export const name = 'covering-value-indexes';

export const sql = `
DROP INDEX IF EXISTS sp_string_tenant_rtype_code_norm_idx;
CREATE INDEX sp_string_value ON sp_string (tenant, rtype, code, norm) INCLUDE (rid);
DROP INDEX IF EXISTS sp_token_tenant_rtype_code_value_system_idx;
CREATE INDEX sp_token_value ON sp_token (tenant, rtype, code, value, system) INCLUDE (rid);
DROP INDEX IF EXISTS sp_date_tenant_rtype_code_lo_idx;
CREATE INDEX sp_date_lo ON sp_date (tenant, rtype, code, lo) INCLUDE (hi, rid);
DROP INDEX IF EXISTS sp_reference_tenant_target_type_target_id_code_rtype_idx;
CREATE INDEX sp_reference_target ON sp_reference (tenant, target_type, target_id, code, rtype) INCLUDE (rid);
DROP INDEX IF EXISTS sp_reference_tenant_rtype_code_url_idx;
CREATE INDEX sp_reference_url ON sp_reference (tenant, rtype, code, url) INCLUDE (rid)
`;
