import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, ok } from './sim.mjs';

let sim;
before(async () => {
  sim = await startSimulator();
});
after(() => sim.stop());

test('an ACL on a group grants its members', async () => {
  const root = sim.api();
  await root.access.groups.$post({ groupid: 'ops', comment: 'from node' });
  await root.access.users.$post({ userid: 'erin@pve', password: 'erin-password', groups: 'ops' });
  const group = await root.access.groups.$('ops').$get();
  assert.deepEqual(group.members, ['erin@pve']);
  const vmid = Number(await root.cluster.nextid.$get());
  await ok(root, await root.nodes.$('pve1').qemu.$post({ vmid, memory: '512' }));
  await root.access.acl.$put({ path: `/vms/${vmid}`, groups: 'ops', roles: 'PVEVMUser' });
  const erin = sim.api('erin@pve', 'erin-password');
  const seen = await erin.cluster.resources.$get({ type: 'vm' });
  assert.deepEqual(seen.map((r) => r.vmid), [vmid]);
  await ok(erin, await erin.nodes.$('pve1').qemu.$(vmid).status.start.$post());
  await root.access.users.$('erin@pve').$delete();
  await root.access.groups.$('ops').$delete();
  const groups = await root.access.groups.$get();
  assert.ok(!groups.some((g) => g.groupid === 'ops'));
});
