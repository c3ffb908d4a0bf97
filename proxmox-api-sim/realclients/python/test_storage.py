"""Uploading an ISO with proxmoxer (multipart, a task), booting a VM from it, removing it."""

from conftest import ok

NODE = "pve1"


def test_upload_iso_and_use_it_as_cdrom(root, tmp_path):
    iso = tmp_path / "tiny-installer.iso"
    iso.write_bytes(b"CD001" + bytes(64 * 1024))
    with iso.open("rb") as f:
        upid = root.nodes(NODE).storage("local").upload.post(content="iso", filename=f)
    ok(root, upid)
    volid = "local:iso/tiny-installer.iso"
    content = root.nodes(NODE).storage("local").content.get(content="iso")
    entry = next(c for c in content if c["volid"] == volid)
    assert entry["size"] == iso.stat().st_size

    vmid = int(root.cluster.nextid.get())
    ok(root, root.nodes(NODE).qemu.post(vmid=vmid, memory=1024, scsi0="local-lvm:4", cdrom=volid))
    assert root.nodes(NODE).qemu(vmid).config.get()["ide2"].startswith(f"{volid},media=cdrom")
    ok(root, root.nodes(NODE).qemu(vmid).delete())

    removal = root.nodes(NODE).storage("local").content(volid).delete()
    if removal:  # PVE answers a UPID when the removal runs as a task
        ok(root, removal)
    assert volid not in [c["volid"] for c in root.nodes(NODE).storage("local").content.get()]
