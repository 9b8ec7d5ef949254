import type { IncomingMessage } from 'node:http';
import { RequestError } from '../core/errors.js';

/** Deepest nesting of arrays and objects a request body may have (a dry-run payload is nested one level). */
export const MAX_BODY_DEPTH = 64;

/**
 * Reads a JSON request body: 413 past `max` bytes (counted while reading, so a huge
 * body is never held), 400 for a body that is not JSON or nested deeper than
 * MAX_BODY_DEPTH. The depth is checked before JSON.parse: V8 parses a 150,000-deep
 * array fine, but whatever walks it afterwards (JSON.stringify, zod) recurses and
 * overflows the stack.
 */
export async function readJsonBody(req: IncomingMessage, max: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) throw tooLarge(max);
  const text = await readText(req, max);
  if (text.length === 0) return {};
  const depth = nestingDepth(text, MAX_BODY_DEPTH);
  if (depth > MAX_BODY_DEPTH) throw new RequestError('INVALID_INPUT', `(body): nested deeper than ${MAX_BODY_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch {
    throw new RequestError('INVALID_INPUT', 'the request body is not valid JSON');
  }
}

/**
 * The body as text, at most `max` bytes. Past the limit it stops reading (paused, not
 * destroyed: the 413 must still reach the client; the server closes the connection).
 */
function readText(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) return void chunks.push(chunk);
      req.off('data', onData);
      req.pause();
      chunks.length = 0;
      reject(tooLarge(max));
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
    // A client that goes away mid-body: settle (no-op after 'end'), so nothing waits forever.
    req.once('close', () => reject(new RequestError('INVALID_INPUT', 'the request body was not sent completely')));
  });
}

function tooLarge(max: number): RequestError {
  return new RequestError('TOO_LARGE', `request body larger than ${max} bytes for this route`);
}

/**
 * How deep `[` and `{` nest in a JSON text (outside strings), stopping once past
 * `stopAt`. Malformed text gives some number; JSON.parse rejects it afterwards.
 */
export function nestingDepth(text: string, stopAt = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > deepest) deepest = depth;
      if (deepest > stopAt) return deepest;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return deepest;
}

/** A path segment, percent-decoded; 400 (not a crash) for malformed percent-encoding such as `%E0%A4%A`. */
export function decodeSegment(raw: string, field: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new RequestError('INVALID_INPUT', `${field}: malformed percent-encoding in the path`);
  }
}
