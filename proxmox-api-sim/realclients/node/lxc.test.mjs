import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, ok, TEMPLATE } from './sim.mjs';

let sim;
before(async () => {
  sim = await startSimulator();
});
after(() => sim.stop());

test('a container from create to delete', async () => {
  const api = sim.api();
  const content = await api.nodes.$('pve2').storage.$('local').content.$get({ content: 'vztmpl' });
  assert.ok(content.some((c) => c.volid === TEMPLATE));
  const vmid = Number(await api.cluster.nextid.$get());
  await ok(
    api,
    await api.nodes.$('pve2').lxc.$post({
      vmid,
      ostemplate: TEMPLATE,
      hostname: 'node-ct',
      memory: 512,
      rootfs: 'local-lvm:4',
      net0: 'name=eth0,bridge=vmbr0,ip=dhcp',
      unprivileged: true,
    }),
  );
  const ct = api.nodes.$('pve2').lxc.$(vmid);
  assert.equal((await ct.config.$get()).hostname, 'node-ct');
  await ct.config.$put({ memory: 768, delete: 'description' });
  assert.equal((await ct.config.$get()).memory, 768);
  await ok(api, await ct.snapshot.$post({ snapname: 'snap1' }));
  assert.deepEqual((await ct.snapshot.$get()).map((s) => s.name), ['snap1', 'current']);
  await ok(api, await ct.snapshot.$('snap1').rollback.$post());
  await ok(api, await ct.snapshot.$('snap1').$delete());
  await ok(api, await ct.clone.$post({ newid: vmid + 1, hostname: 'node-ct-clone', full: true }));
  await ok(api, await api.nodes.$('pve2').lxc.$(vmid + 1).$delete());
  await ok(api, await ct.status.start.$post());
  assert.equal((await ct.status.current.$get()).status, 'running');
  await ok(api, await ct.status.stop.$post());
  await ok(api, await ct.$delete({ purge: true }));
  await assert.rejects(ct.config.$get(), /does not exist/);
});
