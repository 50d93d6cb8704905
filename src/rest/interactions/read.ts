// read: GET [base]/[type]/[id] (R4 http.html#read), with If-None-Match / If-Modified-Since.
import { requireVisible } from '../access.js';
import { RawJson } from '../raw-json.js';
import { requireCurrent, versionHeaders, etag } from '../response.js';
import { requireType } from '../resource-input.js';
import type { InteractionHandler } from '../types.js';

export const read: InteractionHandler = async (ctx, req, repo, services) => {
  const [type, id] = req.path;
  requireType(services, type);
  const v = requireCurrent(await repo.read(ctx.tenant, type, id), type, id);
  requireVisible(ctx, type, id, v.content);
  const headers = versionHeaders(ctx, v, false);
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === etag(v.version) || t.trim() === `"${v.version}"`)) {
    return { status: 304, headers };
  }
  const ifModifiedSince = req.headers['if-modified-since'];
  if (ifModifiedSince && !ifNoneMatch) {
    const since = Date.parse(ifModifiedSince);
    // HTTP dates have second precision; compare at that precision.
    if (!Number.isNaN(since) && Math.floor(Date.parse(v.lastUpdated) / 1000) * 1000 <= since) return { status: 304, headers };
  }
  return { status: 200, headers, body: new RawJson(v.content) };
};
