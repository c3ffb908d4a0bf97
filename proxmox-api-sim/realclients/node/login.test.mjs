import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from './sim.mjs';

let sim;
before(async () => {
  sim = await startSimulator();
});
after(() => sim.stop());

test('password login and reads', async () => {
  const api = sim.api();
  const version = await api.version.$get();
  assert.ok(version.release);
  const nodes = await api.nodes.$get();
  assert.deepEqual(nodes.map((n) => n.node).sort(), ['pve1', 'pve2', 'pve3']);
  const status = await api.nodes.$('pve1').status.$get();
  assert.ok(status.cpuinfo.cpus > 0);
});

test('wrong password fails to log in', async () => {
  const api = sim.api('root@pam', 'not-the-password');
  await assert.rejects(api.nodes.$get(), /Auth .* Failed!/);
});

test('API token login', async () => {
  const root = sim.api();
  const token = await root.access.users.$('root@pam').token.$('node').$post({ privsep: false });
  const api = sim.tokenApi(token['full-tokenid'], token.value);
  const nodes = await api.nodes.$get();
  assert.equal(nodes.length, 3);
  await root.access.users.$('root@pam').token.$('node').$delete();
  await assert.rejects(api.nodes.$get(), /401/);
});

test('an expired ticket is renewed by logging in again', async () => {
  const api = sim.api();
  assert.equal((await api.nodes.$get()).length, 3);
  await sim.control('expire-tickets');
  // The package logs in again by itself on `permission denied - invalid PVE ticket`.
  assert.equal((await api.nodes.$get()).length, 3);
});

test('a TOTP user cannot get past the second factor with this package', async () => {
  const root = sim.api();
  await root.access.users.$post({ userid: 'tfa@pve', password: 'tfa-password-1' });
  await sim.control('enable-totp', { userid: 'tfa@pve' });
  const api = sim.api('tfa@pve', 'tfa-password-1');
  // It keeps the half-done `!tfa!` ticket, which the server refuses.
  await assert.rejects(api.nodes.$get(), /401/);
});
