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

impl GuestResource<'_> {
    /// Appends the entry's JSON to `out`: the same text as its `Serialize` (a conformance test
    /// compares them), written with the keys as constant bytes. Serializing 20,000 guests
    /// through serde spent half its time escaping the same 20 keys over and over.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        let mut int = itoa::Buffer::new();
        let mut num = |out: &mut Vec<u8>, key: &[u8], n: u64| {
            out.extend_from_slice(key);
            out.extend_from_slice(int.format(n).as_bytes());
        };
        out.extend_from_slice(b"{\"cpu\":");
        write_value(out, &self.cpu);
        num(out, b",\"disk\":", self.disk);
        num(out, b",\"diskread\":", self.diskread);
        num(out, b",\"diskwrite\":", self.diskwrite);
        out.extend_from_slice(b",\"id\":\"");
        out.extend_from_slice(self.id.kind.type_str().as_bytes());
        out.push(b'/');
        out.extend_from_slice(itoa::Buffer::new().format(self.id.vmid).as_bytes());
        out.push(b'"');
        if let Some(lock) = self.lock {
            out.extend_from_slice(b",\"lock\":");
            write_value(out, lock);
        }
        num(out, b",\"maxcpu\":", u64::from(self.maxcpu));
        num(out, b",\"maxdisk\":", self.maxdisk);
        num(out, b",\"maxmem\":", self.maxmem);
        num(out, b",\"mem\":", self.mem);
        out.extend_from_slice(b",\"name\":");
        write_value(out, self.name);
        num(out, b",\"netin\":", self.netin);
        num(out, b",\"netout\":", self.netout);
        out.extend_from_slice(b",\"node\":");
        write_value(out, self.node);
        if let Some(pool) = self.pool {
            out.extend_from_slice(b",\"pool\":");
            write_value(out, pool);
        }
        out.extend_from_slice(b",\"status\":");
        write_value(out, self.status);
        if let Some(tags) = self.tags {
            out.extend_from_slice(b",\"tags\":");
            write_value(out, tags);
        }
        num(out, b",\"template\":", u64::from(self.template));
        out.extend_from_slice(b",\"type\":");
        write_value(out, self.kind);
        out.extend_from_slice(b",\"uptime\":");
        out.extend_from_slice(itoa::Buffer::new().format(self.uptime).as_bytes());
        num(out, b",\"vmid\":", u64::from(self.vmid));
        out.push(b'}');
    }
}

/// A value written by serde_json (strings escaped, floats formatted as everywhere else).
fn write_value<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Writing into a Vec cannot fail, and these values (strings, numbers) always serialize.
    let _ = serde_json::to_writer(out, value);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guest<'a>(name: &'a str, extra: Option<&'a str>, cpu: f64) -> GuestResource<'a> {
        GuestResource {
            cpu: LooseNumber::from_f64(cpu),
            disk: u64::MAX,
            diskread: 0,
            diskwrite: 12_371_861,
            id: GuestId {
                kind: GuestKind::Qemu,
                vmid: 999_999_999,
            },
            lock: extra,
            maxcpu: 4,
            maxdisk: 7_516_192_768,
            maxmem: 2_147_483_648,
            mem: 579_922_140,
            name,
            netin: 1,
            netout: 2,
            node: "pve-2",
            pool: extra,
            status: "running",
            tags: extra,
            template: 1,
            kind: "qemu",
            uptime: -1,
            vmid: 999_999_999,
        }
    }

    #[test]
    fn the_hand_written_json_is_the_serialized_json() {
        for entry in [
            guest("ct100", None, 0.017_432_675_850_051_375),
            guest("quote\"back\\slash\u{1}ünï", Some("a;b\"c"), 0.0),
            guest("", Some(""), 2.0),
            guest("x", None, f64::NAN),
        ] {
            let mut written = Vec::new();
            entry.write_json(&mut written);
            let serialized = serde_json::to_vec(&entry).unwrap();
            assert_eq!(
                String::from_utf8(written).unwrap(),
                String::from_utf8(serialized).unwrap()
            );
        }
    }
}
