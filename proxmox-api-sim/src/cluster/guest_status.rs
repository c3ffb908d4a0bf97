//! What containers and VMs report about themselves alike (PVE's `vmstatus`): the fields of
//! `GET /nodes/{node}/{lxc,qemu}` and `status/current`, and their `/cluster/resources` entries.
//! Each kind measures its own numbers ([`GuestVitals`]); the answers are built here once.

use serde::Serialize;
use serde_json::{Map, Value};

use super::containers::LooseNumber;
use super::guest::GuestKind;
use super::nodes::loose_number;

/// `ha` of `status/current`: the simulator runs no HA manager.
pub(crate) fn unmanaged_ha() -> Value {
    let mut ha = Map::new();
    ha.insert("managed".into(), 0.into());
    Value::Object(ha)
}

/// One guest's numbers at one moment, as its kind measures them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GuestVitals<'a> {
    pub kind: GuestKind,
    pub vmid: u32,
    pub name: &'a str,
    pub running: bool,
    /// CPU utilisation of its cores (0..1).
    pub cpu: f64,
    pub cpus: u32,
    pub mem: u64,
    pub maxmem: u64,
    pub disk: u64,
    pub maxdisk: u64,
    /// `netin`, `netout`, `diskread`, `diskwrite`.
    pub io: [u64; 4],
    pub uptime: i64,
    /// The guest's main process, reported while it runs.
    pub pid: u32,
    pub tags: Option<&'a str>,
    pub template: bool,
}

impl<'a> GuestVitals<'a> {
    fn status_word(&self) -> &'static str {
        if self.running {
            "running"
        } else {
            "stopped"
        }
    }

    /// The fields both kinds' listings and `status/current` carry (each kind adds its own).
    pub(crate) fn status_fields(&self, lock: Option<&str>) -> Map<String, Value> {
        let [netin, netout, diskread, diskwrite] = self.io;
        let mut m = Map::new();
        m.insert("vmid".into(), self.vmid.into());
        m.insert("name".into(), self.name.into());
        m.insert("status".into(), self.status_word().into());
        m.insert("cpu".into(), loose_number(self.cpu));
        m.insert("cpus".into(), self.cpus.into());
        m.insert("mem".into(), self.mem.into());
        m.insert("maxmem".into(), self.maxmem.into());
        m.insert("disk".into(), self.disk.into());
        m.insert("maxdisk".into(), self.maxdisk.into());
        m.insert("netin".into(), netin.into());
        m.insert("netout".into(), netout.into());
        m.insert("diskread".into(), diskread.into());
        m.insert("diskwrite".into(), diskwrite.into());
        m.insert("uptime".into(), self.uptime.into());
        if self.running {
            m.insert("pid".into(), self.pid.into());
        }
        if let Some(lock) = lock {
            m.insert("lock".into(), lock.into());
        }
        if let Some(tags) = self.tags {
            m.insert("tags".into(), tags.into());
        }
        if self.template {
            m.insert("template".into(), 1.into());
        }
        m
    }

    /// The guest's `/cluster/resources` entry (`template` always present as 0/1 there).
    pub(crate) fn resource_entry(
        self,
        node: &'a str,
        lock: Option<&'a str>,
        node_online: bool,
        pool: Option<&'a str>,
    ) -> GuestResource<'a> {
        let [netin, netout, diskread, diskwrite] = self.io;
        GuestResource {
            cpu: LooseNumber::from_f64(self.cpu),
            disk: self.disk,
            diskread,
            diskwrite,
            id: GuestId {
                kind: self.kind,
                vmid: self.vmid,
            },
            lock,
            maxcpu: self.cpus,
            maxdisk: self.maxdisk,
            maxmem: self.maxmem,
            mem: self.mem,
            name: self.name,
            netin,
            netout,
            node,
            pool,
            status: if node_online {
                self.status_word()
            } else {
                "unknown"
            },
            tags: self.tags,
            template: u8::from(self.template),
            kind: self.kind.type_str(),
            uptime: self.uptime,
            vmid: self.vmid,
        }
    }
}

/// `lxc/<vmid>` or `qemu/<vmid>`, written without allocating a string per entry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GuestId {
    kind: GuestKind,
    vmid: u32,
}

impl Serialize for GuestId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("{}/{}", self.kind.type_str(), self.vmid))
    }
}

/// A guest in `/cluster/resources`, serialized straight to JSON (20,000 of them must list in
/// milliseconds). Fields in alphabetical order, as the `Value` answers print their keys.
#[derive(Debug, Serialize)]
pub(crate) struct GuestResource<'a> {
    cpu: LooseNumber,
    disk: u64,
    diskread: u64,
    diskwrite: u64,
    id: GuestId,
    #[serde(skip_serializing_if = "Option::is_none")]
    lock: Option<&'a str>,
    maxcpu: u32,
    maxdisk: u64,
    maxmem: u64,
    mem: u64,
    name: &'a str,
    netin: u64,
    netout: u64,
    node: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pool: Option<&'a str>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<&'a str>,
    template: u8,
    #[serde(rename = "type")]
    kind: &'static str,
    uptime: i64,
    vmid: u32,
}
