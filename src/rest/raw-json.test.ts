import { describe, expect, it } from 'vitest';
import { RawJson, stringifyWithRaw } from './raw-json.js';

describe('stringifyWithRaw', () => {
  it('splices stored JSON text in byte for byte', () => {
    const stored = '{"resourceType":"Patient","id":"1","name":[{"family":"O\'Brien \\"Ted\\""}]}';
    const text = stringifyWithRaw({ resourceType: 'Bundle', entry: [{ resource: new RawJson(stored) }, { resource: new RawJson(stored) }] });
    expect(text).toBe(`{"resourceType":"Bundle","entry":[{"resource":${stored}},{"resource":${stored}}]}`);
    expect(JSON.parse(text).entry[0].resource.name[0].family).toBe('O\'Brien "Ted"');
  });

  it('is not fooled by text that looks like its placeholder', () => {
    const text = stringifyWithRaw({ a: '\u0000raw\u00000', b: new RawJson('{"x":1}') });
    expect(JSON.parse(text)).toEqual({ a: '\u0000raw\u00000', b: { x: 1 } });
  });

  it('pretty-prints when asked', () => {
    expect(stringifyWithRaw({ r: new RawJson('{"x":1}') }, 2)).toBe('{\n  "r": {\n    "x": 1\n  }\n}');
  });
});
