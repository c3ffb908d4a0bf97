import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, ok } from './sim.mjs';

let sim;
before(async () => {
  sim = await startSimulator();
});
after(() => sim.stop());

test('users and ACLs decide what a user sees and may do', async () => {
  const root = sim.api();
  await root.access.users.$post({ userid: 'bob@pve', password: 'bob-password-1' });
  const vmid = Number(await root.cluster.nextid.$get());
  await ok(root, await root.nodes.$('pve3').qemu.$post({ vmid, memory: '512' }));
  await ok(root, await root.nodes.$('pve3').qemu.$post({ vmid: vmid + 1, memory: '512' }));
  await root.access.acl.$put({ path: `/vms/${vmid}`, users: 'bob@pve', roles: 'PVEVMUser' });

  const bob = sim.api('bob@pve', 'bob-password-1');
  const seen = await bob.cluster.resources.$get({ type: 'vm' });
  assert.deepEqual(seen.map((r) => r.vmid), [vmid]);
  await ok(bob, await bob.nodes.$('pve3').qemu.$(vmid).status.start.$post());
  await assert.rejects(bob.nodes.$('pve3').qemu.$(vmid + 1).status.start.$post(), /403/);

  await root.access.users.$('bob@pve').$delete();
  const users = await root.access.users.$get();
  assert.ok(!users.some((u) => u.userid === 'bob@pve'));
});
