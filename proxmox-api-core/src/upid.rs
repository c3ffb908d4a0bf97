//! Proxmox task identifiers (UPIDs).
//!
//! `UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:` with the numbers in upper-case hex:
//! pid and starttime 8 digits, pstart 8 or (on long-running hosts) 9 digits. The id may be empty
//! and the user may be an API token (`user@realm!name`).
//!
//! PVE names the task's log file after the UPID string itself, so a UPID sent back to the server
//! must be byte-for-byte the one it handed out. Parsing therefore accepts exactly the canonical form
//! PVE generates (`%08X`), and [`Display`](std::fmt::Display) reproduces it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A parsed UPID: `UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Upid {
    /// Node the task runs on.
    pub node: String,
    /// Worker process id.
    pub pid: u32,
    /// Process start time in clock ticks (8 or 9 hex digits).
    pub pstart: u64,
    /// Task start as Unix seconds.
    pub starttime: i64,
    /// Task type, e.g. `vzcreate`.
    pub task_type: String,
    /// Task object id (often a vmid); may be empty.
    pub id: String,
    /// User (or token `user@realm!name`) that started it.
    pub user: String,
}

/// Why a string is not a UPID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid UPID {input:?}: {reason}")]
pub struct UpidParseError {
    /// The rejected input (UPIDs hold nothing secret).
    pub input: String,
    /// What is wrong with it.
    pub reason: String,
}

impl Upid {
    /// The vmid this task is about, when its id is a number (`vzcreate`, `vzstart`, ...).
    pub fn vmid(&self) -> Option<u32> {
        self.id.parse().ok()
    }
}

/// Parses `field` as exactly `digits` (a range) upper-case hex digits without a superfluous
/// leading zero beyond the minimum width, so that formatting with `%08X` gives back the input.
fn parse_hex(field: &str, name: &str, min_digits: usize, max_digits: usize) -> Result<u64, String> {
    let valid_digits = field
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b));
    if !valid_digits || field.len() < min_digits || field.len() > max_digits {
        let width = if min_digits == max_digits {
            format!("{min_digits}")
        } else {
            format!("{min_digits} or {max_digits}")
        };
        return Err(format!(
            "{name} must be {width} upper-case hex digits, got {field:?}"
        ));
    }
    if field.len() > min_digits && field.starts_with('0') {
        return Err(format!(
            "{name} {field:?} has a leading zero beyond {min_digits} digits"
        ));
    }
    u64::from_str_radix(field, 16).map_err(|e| format!("{name} {field:?}: {e}"))
}

fn valid_node_name(node: &str) -> bool {
    let bytes = node.as_bytes();
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

fn no_space(s: &str) -> bool {
    !s.chars().any(char::is_whitespace)
}

impl FromStr for Upid {
    type Err = UpidParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let fail = |reason: String| UpidParseError {
            input: input.to_owned(),
            reason,
        };
        let body = input
            .strip_prefix("UPID:")
            .ok_or_else(|| fail("does not start with \"UPID:\"".into()))?;
        let body = body
            .strip_suffix(':')
            .ok_or_else(|| fail("does not end with ':'".into()))?;
        // No field may contain ':' (the user is `name@realm` or `name@realm!token`), so a plain
        // split gives exactly eight fields.
        let fields: Vec<&str> = body.split(':').collect();
        let [node, pid, pstart, starttime, task_type, id, user] = fields[..] else {
            return Err(fail(format!(
                "expected 7 ':'-separated fields between \"UPID:\" and the final ':', found {}",
                fields.len()
            )));
        };
        if !valid_node_name(node) {
            return Err(fail(format!("invalid node name {node:?}")));
        }
        let pid = parse_hex(pid, "pid", 8, 8).map_err(&fail)?;
        let pstart = parse_hex(pstart, "pstart", 8, 9).map_err(&fail)?;
        let starttime = parse_hex(starttime, "starttime", 8, 8).map_err(&fail)?;
        if task_type.is_empty() || !no_space(task_type) {
            return Err(fail(format!("invalid task type {task_type:?}")));
        }
        if !no_space(id) {
            return Err(fail(format!("invalid task id {id:?}")));
        }
        if user.is_empty() || !no_space(user) {
            return Err(fail(format!("invalid user {user:?}")));
        }
        Ok(Upid {
            node: node.to_owned(),
            // Both fit: at most 8 hex digits.
            pid: pid as u32,
            pstart,
            starttime: starttime as i64,
            task_type: task_type.to_owned(),
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
            self.node, self.pid, self.pstart, self.starttime, self.task_type, self.id, self.user
        )
    }
}

impl Serialize for Upid {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Upid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
