import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, ok, waitTask } from './sim.mjs';

let sim;
before(async () => {
  sim = await startSimulator();
});
after(() => sim.stop());

test('a QEMU VM from create to delete', async () => {
  const api = sim.api();
  const vmid = Number(await api.cluster.nextid.$get());
  await ok(
    api,
    await api.nodes.$('pve1').qemu.$post({
      vmid,
      name: 'node-vm',
      cores: 2,
      memory: '1024',
      scsi0: 'local-lvm:8',
      virtio1: 'local-lvm:2',
      net0: 'virtio,bridge=vmbr0',
      ostype: 'l26',
      cdrom: 'none',
    }),
  );
  const vm = api.nodes.$('pve1').qemu.$(vmid);
  const config = await vm.config.$get();
  assert.equal(config.scsi0, `local-lvm:vm-${vmid}-disk-0,size=8G`);
  assert.equal(config.virtio1, `local-lvm:vm-${vmid}-disk-1,size=2G`);

  await vm.config.$put({ cores: 4, delete: 'ostype' });
  assert.equal((await vm.config.$get()).cores, 4);

  await ok(api, await vm.status.start.$post());
  assert.equal((await vm.status.current.$get()).status, 'running');
  await ok(api, await vm.status.suspend.$post());
  assert.equal((await vm.status.current.$get()).qmpstatus, 'paused');
  await ok(api, await vm.status.resume.$post());
  await assert.rejects(vm.agent.$('ping').$post(), /No QEMU guest agent configured/);

  await ok(api, await vm.snapshot.$post({ snapname: 'one' }));
  const snaps = await vm.snapshot.$get();
  assert.deepEqual(snaps.map((s) => s.name), ['one', 'current']);
  await ok(api, await vm.snapshot.$('one').rollback.$post());
  await ok(api, await vm.snapshot.$('one').$delete());

  const console = await vm.vncproxy.$post({ websocket: true });
  assert.ok(Number(console.port) >= 5900);
  assert.equal((await vm.rrddata.$get({ timeframe: 'hour' })).length, 70);

  await ok(api, await vm.status.stop.$post());
  const cloneId = vmid + 1;
  await ok(api, await vm.clone.$post({ newid: cloneId, name: 'node-clone' }));
  const resources = await api.cluster.resources.$get({ type: 'vm' });
  assert.deepEqual(resources.map((r) => r.id), [`qemu/${vmid}`, `qemu/${cloneId}`]);

  await ok(api, await api.nodes.$('pve1').qemu.$(cloneId).$delete({ purge: true }));
  await ok(api, await vm.$delete());
  await assert.rejects(vm.config.$get(), /does not exist/);
  // The freed vmid can be used again.
  const again = await waitTask(api, await api.nodes.$('pve1').qemu.$post({ vmid, memory: '512' }));
  assert.equal(again.exitstatus, 'OK');
});
