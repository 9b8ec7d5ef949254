import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeviceInfo } from './types.js';

/*
 * The decoders' testdata/*.json files, found by convention (no list kept by hand):
 * every folder services/decoders/<folder>/testdata/ holds cases, and a case belongs to
 * the decoder its `decoder` field names, else to the decoder named like its folder
 * (chirpstack/ holds chirpstack-v3 and chirpstack-v4 cases, each with `decoder`).
 * Test support without vitest: the unit tests, the convention test (registry.test.ts)
 * and the fault suite's fuzz corpus read testdata through this module.
 */

/** One testdata/*.json file: a message and what the decoder must make of it. */
export interface TestdataCase {
  note: string;
  /** The decoder the case is for, when it is not the one named like the folder. */
  decoder?: string;
  topic: string;
  receivedAt?: string;
  /** Registry entries the decoder may look up (by external id, any case). */
  devices?: Record<string, { model?: string }>;
  payload?: unknown;
  payloadText?: string;
  payloadBase64?: string;
  /** `unknown`: the values the decoder reports as having no metric (absent = none checked). */
  expect: { ok: boolean; reason?: string; field?: string; message?: string; values?: unknown[]; unknown?: unknown[] };
}

export interface TestdataFile {
  /** The folder under services/decoders/ (`chirpstack`). */
  folder: string;
  /** The file name inside its testdata/ folder. */
  file: string;
  /** The decoder the case is for: `c.decoder`, else the folder's name. */
  decoder: string;
  c: TestdataCase;
}

/** services/decoders/ in the source tree. */
export const DECODERS_DIR = dirname(fileURLToPath(import.meta.url));

/** The folders under services/decoders/ with a testdata/ folder, sorted. */
export function testdataFolders(): string[] {
  return readdirSync(DECODERS_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(DECODERS_DIR, e.name, 'testdata')))
    .map((e) => e.name)
    .sort();
}

/** Every testdata case of every folder, sorted by folder and file name. */
export function allTestdataFiles(): TestdataFile[] {
  const out: TestdataFile[] = [];
  for (const folder of testdataFolders()) {
    const dir = join(DECODERS_DIR, folder, 'testdata');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      const c = JSON.parse(readFileSync(join(dir, file), 'utf8')) as TestdataCase;
      out.push({ folder, file, decoder: c.decoder ?? folder, c });
    }
  }
  return out;
}

/** The testdata cases of each decoder in `names` (an empty list for one without any). */
export function testdataByDecoder(names: readonly string[]): Map<string, TestdataFile[]> {
  const all = allTestdataFiles();
  return new Map(names.map((n) => [n, all.filter((t) => t.decoder === n)]));
}

/** A case's message: payloadText as UTF-8, else payloadBase64, else payload as JSON. */
export function testdataPayload(c: Pick<TestdataCase, 'payload' | 'payloadText' | 'payloadBase64'>): Buffer {
  if (c.payloadText !== undefined) return Buffer.from(c.payloadText, 'utf8');
  if (c.payloadBase64 !== undefined) return Buffer.from(c.payloadBase64, 'base64');
  return Buffer.from(JSON.stringify(c.payload), 'utf8');
}

/** A lookupDevice over a case's `devices` (no params), as the decoders' own tests build it. */
export function testdataLookup(c: Pick<TestdataCase, 'devices'>): (ref: string) => DeviceInfo | undefined {
  const byRef = new Map<string, DeviceInfo>(Object.entries(c.devices ?? {}).map(([k, d]) => [k.toLowerCase(), { ...d, params: {} }]));
  return (ref) => byRef.get(ref.toLowerCase());
}
