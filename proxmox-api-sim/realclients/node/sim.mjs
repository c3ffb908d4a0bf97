// Starts the simulator binary ($PROXMOX_API_SIM_BIN) for one test file and builds clients of the
// npm `proxmox-api` package against it, unchanged.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import proxmoxApi from 'proxmox-api';

// The simulator's certificate is self-signed, like a fresh PVE node's: ordinary scripts turn
// verification off for such a node. Only this test process is affected.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

export const TEMPLATE = 'local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst';

export async function startSimulator() {
  const binary = process.env.PROXMOX_API_SIM_BIN;
  if (!binary) throw new Error('set PROXMOX_API_SIM_BIN to the simulator binary (run.sh does)');
  const proc = spawn(binary, ['--auth-delay-ms', '0', '--task-scale', '0.05'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: proc.stdout });
  const line = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`the simulator exited with ${code}`)));
  });
  const info = JSON.parse(line);
  const url = new URL(info.url);
  return {
    info,
    host: url.hostname,
    port: Number(url.port),
    /** A client logged in with a password (root@pam by default). */
    api(username = info.user, password = info.password) {
      return proxmoxApi({ host: url.hostname, port: Number(url.port), username, password });
    },
    /** A client using an API token. */
    tokenApi(tokenID, tokenSecret) {
      return proxmoxApi({ host: url.hostname, port: Number(url.port), tokenID, tokenSecret });
    },
    /** Calls the control endpoint (`/_sim/<action>`). */
    async control(action, body = {}) {
      const r = await fetch(`${info.control_url}/${action}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (r.status !== 200) throw new Error(`${action}: ${r.status} ${await r.text()}`);
      return (await r.json()).data;
    },
    stop() {
      proc.kill('SIGTERM');
    },
  };
}

/** Polls a task until it stops, as scripts using this package do (it has no task helper). */
export async function waitTask(api, upid) {
  const node = upid.split(':')[1];
  for (let i = 0; i < 1200; i++) {
    const status = await api.nodes.$(node).tasks.$(upid).status.$get();
    if (status.status === 'stopped') return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`task ${upid} did not finish`);
}

export async function ok(api, upid) {
  const status = await waitTask(api, upid);
  if (status.exitstatus !== 'OK') throw new Error(`${upid}: ${JSON.stringify(status)}`);
  return status;
}
