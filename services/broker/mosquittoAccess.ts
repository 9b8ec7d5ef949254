import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { ProvisioningError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Tenant } from '../tenants/model.js';
import { mosquittoAcl } from '../tenants/topicSpace.js';
import { isReservedTenantId } from '../tenants/tenantIds.js';

export interface MosquittoAccessOptions {
  passwordFile: string;
  aclFile: string;
  /** Mosquitto's pid file: it is sent SIGHUP after the files changed. */
  pidFile?: string;
  logger: Logger;
}

/**
 * Tenant access to the real broker, through Mosquitto's password file and ACL
 * file, reloaded with SIGHUP.
 *
 * Why not the dynamic security plugin ($CONTROL/dynamic-security/v1)? Klimatpuls
 * needs a pipeline listener for its own services (1883, its own password file) next to
 * authenticated tenant listeners (1884, and 8883 with TLS), which takes
 * `per_listener_settings true`; in Mosquitto 2.0 the plugin's settings are not
 * really per listener (eclipse-mosquitto/mosquitto#2423: every listener uses the
 * last config file), and two tenant listeners would need two plugin instances with
 * diverging state. The password and ACL files are plain per-listener options both
 * tenant listeners share. They are rewritten in full from the tenant registry on
 * every change (no drift between Klimatpuls and the broker), and on SIGHUP
 * Mosquitto rereads them and disconnects clients whose user is gone: a disabled
 * tenant is refused at once, connected clients included (test/security asserts it).
 * The cost: Klimatpuls must be able to write the files and signal the broker (same
 * host or shared volume; with Docker, `docker kill -s HUP mosquitto`).
 *
 * Client ids: these files cannot tie a client id to a user (no per-user prefix in
 * Mosquitto 2.0; `clientid_prefixes` is global and deprecated), so the tenant
 * listeners set `use_username_as_clientid true` (deploy/stack/stack.sh): a tenant's
 * client id is its username, whatever it sent, and a tenant can take over no session
 * but its own. The pipeline listener has its own password file with the pipeline
 * user only. Tenant ids starting with `klimatpuls` (reserved) are never written.
 */
export class MosquittoAccess {
  constructor(private readonly o: MosquittoAccessOptions) {}

  /** Writes both files for the active tenants and reloads the broker. */
  sync(tenants: readonly Tenant[]): void {
    const reserved = tenants.filter((t) => isReservedTenantId(t.id) || isReservedTenantId(t.mqtt.username));
    if (reserved.length) this.o.logger.error({ tenants: reserved.map((t) => t.id) }, 'tenants with reserved ids (klimatpuls…) get no broker access');
    const active = tenants.filter((t) => t.status === 'active' && !reserved.includes(t)).sort((a, b) => a.id.localeCompare(b.id));
    const header = '# Written by Klimatpuls from its tenant registry: changes here are overwritten.\n';
    const passwd = active.map((t) => `${t.mqtt.username}:${t.mqtt.mosquittoHash}\n`).join('');
    const acl = header + active.map((t) => mosquittoAcl(t.id, t.mqtt.username)).join('\n');
    try {
      replace(this.o.passwordFile, passwd);
      replace(this.o.aclFile, acl);
    } catch (err) {
      throw new ProvisioningError('mosquitto', `cannot write the password/ACL file: ${(err as Error).message}`, { cause: err });
    }
    this.reload();
    this.o.logger.info({ tenants: active.length }, 'mosquitto password and ACL files written');
  }

  private reload(): void {
    if (!this.o.pidFile) {
      this.o.logger.warn('MOSQUITTO_PID_FILE is not set: reload Mosquitto (SIGHUP) to apply the tenant changes');
      return;
    }
    let pid: number;
    try {
      pid = Number(readFileSync(this.o.pidFile, 'utf8').trim());
    } catch (err) {
      throw new ProvisioningError('mosquitto', `cannot read the pid file ${this.o.pidFile}: ${(err as NodeJS.ErrnoException).code}`, { retriable: true, cause: err });
    }
    try {
      process.kill(pid, 'SIGHUP');
    } catch (err) {
      throw new ProvisioningError('mosquitto', `cannot signal Mosquitto (pid ${pid}): ${(err as NodeJS.ErrnoException).code}`, { retriable: true, cause: err });
    }
  }
}

function replace(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, file);
}
