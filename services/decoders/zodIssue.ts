import { isUtf8 } from 'node:buffer';
import type { z } from 'zod';

/** First zod issue as a JSON path (`readings[2].value`) and its rule. */
export function describeIssue(error: z.ZodError, prefix = ''): { field: string; message: string } {
  const issue = error.issues[0]!;
  let field = prefix;
  for (const p of issue.path) {
    if (typeof p === 'number') field += `[${p}]`;
    else field += field ? `.${String(p)}` : String(p);
  }
  return { field: field || '(root)', message: issue.message };
}

/** Strict: invalid UTF-8 is an error, not silently replaced characters. Stateless between calls (no `stream`). */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function parseJson(payload: Buffer): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    // isUtf8 (simdutf) + toString is much cheaper than a fatal TextDecoder and decodes valid
    // UTF-8 the same way, except that TextDecoder drops a leading BOM: done here too. Invalid
    // input goes through TextDecoder for its error message.
    let text: string;
    if (isUtf8(payload)) {
      text = payload.toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    } else text = strictUtf8.decode(payload);
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}
