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

export function parseJson(payload: Buffer): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    // fatal: invalid UTF-8 is an error, not silently replaced characters.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}
