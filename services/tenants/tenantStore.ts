import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KlimatpulsError, RequestError } from '../core/errors.js';
import type { Device } from '../registry/deviceRegistry.js';
import { withFileLock } from './fileLock.js';
import { emptyState, stateSchema, type Tenant, type TenantState } from './model.js';

/**
 * The tenant registry on disk: `<TENANTS_DIR>/tenants.json` (one JSON document,
 * replaced atomically: write to a temporary file, then rename). Every change runs
 * under a lock file and starts from the file's current content, so the admin API,
 * the CLI and `start` can change it side by side. Readers (the gateway, the
 * writer, the embedded broker) see changes within `pollMs` through `watch`.
 *
 * Why files and not a database: a handful of tenants and a few thousand devices;
 * the file is readable, diffable and backed up with DATA_DIR. Its size is bounded
 * (`maxBytes`, REGISTRY_MAX_BYTES): a change that grows the registry past it is
 * refused (409), while changes that do not add records (disable, enable, rotate,
 * remove) are always written, so a full registry can still be managed.
 */
export class TenantStore {
  readonly file: string;
  private state: TenantState = emptyState();
  /** Which version of the file `state` is (inode, mtime, size: a rename changes the inode). */
  private version = '';
  private checkedAt = 0;
  private devicesById = new Map<string, Device>();
  private tenantsById = new Map<string, Tenant>();
  private timer?: NodeJS.Timeout;
  private readonly listeners: Array<(before: TenantState, after: TenantState) => void> = [];

  constructor(
    readonly dir: string,
    private readonly opts: { maxBytes?: number } = {},
  ) {
    this.file = join(dir, 'tenants.json');
    this.refresh();
  }

  /** The current state (reread when the file changed since the last look). */
  read(): TenantState {
    return this.state;
  }

  tenant(id: string): Tenant | undefined {
    return this.tenantsById.get(id);
  }

  /** A registered device by external id (any letter case). */
  device(externalId: string): Device | undefined {
    return this.devicesById.get(externalId.toLowerCase());
  }

  /**
   * Applies `change` to a copy of the newest state and saves it; returns what `change`
   * returns. `grows`: the change adds a record, and is refused when the file would
   * then be larger than `maxBytes`.
   */
  async update<T>(change: (s: TenantState) => T | Promise<T>, o: { grows?: boolean } = {}): Promise<T> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    return withFileLock(join(this.dir, 'tenants.lock'), async () => {
      this.refresh(true); // under the lock, always from disk: timestamps can be too coarse to tell versions apart
      const draft = structuredClone(this.state);
      const result = await change(draft);
      const valid = stateSchema.parse(draft);
      const text = `${JSON.stringify(valid, null, 2)}\n`;
      const max = this.opts.maxBytes;
      if (o.grows && max !== undefined && Buffer.byteLength(text) > max) {
        throw new RequestError('CONFLICT', `the tenant registry is full: it would exceed REGISTRY_MAX_BYTES (${max} bytes); remove devices or buildings, or raise the limit`);
      }
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, text, { mode: 0o600 });
      renameSync(tmp, this.file);
      this.apply(valid, versionOf(this.file));
      return result;
    });
  }

  /**
   * Rereads the file if another process changed it more than `maxAgeMs` ago (one
   * stat): what checks access calls first, so a tenant disabled by the CLI is refused
   * by a running server at once, not at the next poll.
   */
  fresh(maxAgeMs = 0): this {
    if (Date.now() - this.checkedAt >= maxAgeMs) {
      try {
        this.refresh();
      } catch {
        /* keep the last good state */
      }
    }
    return this;
  }

  /** Rereads the file if it changed; tells the listeners. */
  refresh(force = false): void {
    this.checkedAt = Date.now();
    const version = versionOf(this.file);
    if (version === this.version && !force) return;
    this.apply(version === 'none' ? emptyState() : this.load(), version);
  }

  private apply(next: TenantState, version: string): void {
    const before = this.state;
    this.version = version;
    this.state = next;
    this.tenantsById = new Map(next.tenants.map((t) => [t.id, t]));
    this.devicesById = new Map(next.devices.map((d) => [d.id.toLowerCase(), d]));
    for (const l of this.listeners) l(before, next);
  }

  private load(): TenantState {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      throw new KlimatpulsError('REGISTRY_INVALID', `${this.file}: ${(err as Error).message}`);
    }
    const parsed = stateSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new KlimatpulsError('REGISTRY_INVALID', `${this.file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    return parsed.data;
  }

  /**
   * 409 when adding about `extra` bytes would pass `maxBytes`: checked before work that
   * is costly to undo (a tenant's InfluxDB bucket), which `update` would refuse anyway.
   */
  assertRoom(extra = 4096): void {
    const max = this.opts.maxBytes;
    if (max === undefined) return;
    let size = 0;
    try {
      size = statSync(this.file).size;
    } catch {
      return; // no registry yet
    }
    if (size + extra > max) throw new RequestError('CONFLICT', `the tenant registry is full: it would exceed REGISTRY_MAX_BYTES (${max} bytes); remove devices or buildings, or raise the limit`);
  }

  /** Calls `onChange` after every change, own or another process's (polled every `pollMs`). */
  watch(onChange: (before: TenantState, after: TenantState) => void, pollMs = 1000): void {
    this.listeners.push(onChange);
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.refresh();
      } catch {
        /* a half-written file from a foreign editor: keep the last good state */
      }
    }, pollMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

function versionOf(file: string): string {
  try {
    const st = statSync(file);
    return `${st.ino}:${st.mtimeMs}:${st.size}`;
  } catch {
    return 'none'; // no registry yet: no tenants
  }
}
