//! Unique process ids of tasks, in PVE's format:
//! `UPID:<node>:<pid 8 hex>:<pstart 8+ hex>:<starttime 8 hex>:<type>:<id>:<user>:`.

use std::fmt;

/// A parsed UPID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upid {
    /// Node the task runs on.
    pub node: String,
    /// Worker process id.
    pub pid: u32,
    /// Process start, in clock ticks since the node booted (may need 9 hex digits).
    pub pstart: u64,
    /// Unix time the task started.
    pub starttime: i64,
    /// Task type, e.g. `vzcreate`.
    pub kind: String,
    /// Task id (often the vmid); may be empty.
    pub id: String,
    /// `user@realm` or `user@realm!token`.
    pub user: String,
}

impl Upid {
    /// Parses a UPID as PVE does (`PVE::Tools::upid_decode`); `None` if it is not one.
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.strip_prefix("UPID:")?.strip_suffix(':')?;
        let mut parts = rest.splitn(7, ':');
        let node = parts.next()?;
        let pid = parts.next()?;
        let pstart = parts.next()?;
        let starttime = parts.next()?;
        let kind = parts.next()?;
        let id = parts.next()?;
        let user = parts.next()?;
        let hex8 = |s: &str| s.len() == 8 && s.bytes().all(|b| b.is_ascii_hexdigit());
        let node_ok = !node.is_empty()
            && node
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        let pstart_ok =
            (8..=9).contains(&pstart.len()) && pstart.bytes().all(|b| b.is_ascii_hexdigit());
        if !node_ok
            || !hex8(pid)
            || !pstart_ok
            || !hex8(starttime)
            || kind.is_empty()
            || !user.contains('@')
        {
            return None;
        }
        Some(Self {
            node: node.to_owned(),
            pid: u32::from_str_radix(pid, 16).ok()?,
            pstart: u64::from_str_radix(pstart, 16).ok()?,
            starttime: i64::from_str_radix(starttime, 16).ok()?,
            kind: kind.to_owned(),
            id: id.to_owned(),
            user: user.to_owned(),
        })
    }
}

impl fmt::Display for Upid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "UPID:{}:{:08X}:{:08X}:{:08X}:{}:{}:{}:",
            self.node, self.pid, self.pstart, self.starttime, self.kind, self.id, self.user
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_real_upids() {
        for text in [
            "UPID:example-node:000CFC5C:03E8D0C3:6194806C:aptupdate::root@pam:",
            "UPID:node1:000FF1FD:10F9374C:630D702C:vzdump:110:root@pam:",
            "UPID:pve1:0000ABCD:1012345FA:6553F00D:vzcreate:100:ci@pve!deploy:",
        ] {
            let upid = Upid::parse(text).expect(text);
            assert_eq!(upid.to_string(), text);
        }
        let empty_id =
            Upid::parse("UPID:n:000CFC5C:03E8D0C3:6194806C:aptupdate::root@pam:").unwrap();
        assert_eq!(empty_id.id, "");
        assert_eq!(empty_id.pid, 0x000C_FC5C);
    }

    #[test]
    fn rejects_malformed() {
        for text in [
            "",
            "UPID:n:1:2:3:x:y:root@pam:",
            "UPID:n:000CFC5C:03E8D0C3:6194806C:aptupdate::root@pam",
            "XPID:n:000CFC5C:03E8D0C3:6194806C:aptupdate::root@pam:",
        ] {
            assert!(Upid::parse(text).is_none(), "{text}");
        }
    }
}
