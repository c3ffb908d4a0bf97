//! PVE's named string formats (`pve-vmid`, `pve-node`, `email`, ...), with PVE's wording.
//!
//! Only the formats the modelled methods use are checked; any other format is accepted, which
//! is safe because the simulator answers 501 for the methods it does not model.

use std::net::IpAddr;
use std::sync::OnceLock;

use regex::Regex;

/// Checks `value` against the named format; `Err` carries PVE's message (without the
/// `invalid format - ` prefix the caller adds).
pub fn check(format: &str, value: &str) -> Result<(), String> {
    if let Some(base) = format.strip_suffix("-list") {
        if is_known(base) {
            for item in value
                .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
                .filter(|s| !s.is_empty())
            {
                check(base, item)?;
            }
            return Ok(());
        }
    }
    match format {
        "pve-vmid" => ensure(
            is_match(&VMID, r"^[1-9][0-9]+$", value),
            "value does not look like a valid VM ID",
        ),
        "pve-node" => ensure(
            is_match(&NODE, r"^[a-zA-Z0-9](?:[a-zA-Z0-9\-]*[a-zA-Z0-9])?$", value),
            "value does not look like a valid node name",
        ),
        "pve-storage-id" => ensure(
            is_match(&STORAGE, r"^(?i:[a-z][a-z0-9\-_.]*[a-z0-9])$", value),
            format!("storage ID '{value}' contains illegal characters"),
        ),
        "pve-userid" => check_userid(value),
        "pve-tokenid" => match value.split_once('!') {
            Some((user, token))
                if check_userid(user).is_ok() && is_match(&TOKEN, TOKEN_RE, token) =>
            {
                Ok(())
            }
            _ => Err(format!(
                "value '{value}' does not look like a valid token ID"
            )),
        },
        "pve-realm" => ensure(
            is_match(&REALM, r"^[A-Za-z][A-Za-z0-9.\-_]+$", value),
            format!("realm name '{value}' contains illegal characters"),
        ),
        "pve-roleid" => ensure(
            is_match(&ROLE, r"^[A-Za-z0-9.\-_]+$", value),
            format!("role name '{value}' contains illegal characters"),
        ),
        "pve-groupid" => ensure(
            is_match(&GROUP, r"^[A-Za-z0-9.\-_]+$", value),
            format!("group name '{value}' contains illegal characters"),
        ),
        "pve-poolid" => ensure(
            is_match(&POOL, r"^[A-Za-z0-9_\-]+(?:/[A-Za-z0-9_\-]+){0,2}$", value),
            format!("pool name '{value}' contains illegal characters"),
        ),
        "pve-configid" => ensure(
            is_match(&CONFIGID, r"^(?i:[a-z][a-z0-9_-]+)$", value),
            format!("invalid configuration ID '{value}'"),
        ),
        "pve-volume-id" => ensure(
            is_match(&VOLUME, r"^(?i:[a-z][a-z0-9\-_.]*[a-z0-9]):.+$", value),
            format!("unable to parse volume ID '{value}'"),
        ),
        "pve-priv" => ensure(
            is_match(&PRIV, r"^[A-Za-z]+\.[A-Za-z.]+$", value),
            format!("invalid privilege name '{value}'"),
        ),
        "email" => check_email(value),
        "email-opt" => {
            if value.is_empty() {
                Ok(())
            } else {
                check_email(value)
            }
        }
        "dns-name" => ensure(
            is_match(&DNS, DNS_RE, value),
            "value does not look like a valid DNS name",
        ),
        "ip" => ensure(
            value.parse::<IpAddr>().is_ok(),
            "value does not look like a valid IP address",
        ),
        "ipv4" => ensure(
            value.parse::<std::net::Ipv4Addr>().is_ok(),
            "value does not look like a valid IPv4 address",
        ),
        "ipv6" => ensure(
            value.parse::<std::net::Ipv6Addr>().is_ok(),
            "value does not look like a valid IPv6 address",
        ),
        "mac-addr" => ensure(
            is_match(&MAC, r"^(?i:[a-f0-9][02468ace](?::[a-f0-9]{2}){5})$", value),
            format!("value '{value}' does not look like a valid unicast MAC address"),
        ),
        _ => Ok(()),
    }
}

fn is_known(format: &str) -> bool {
    check(format, "\u{1}").is_err()
}

const TOKEN_RE: &str = r"^[A-Za-z][A-Za-z0-9.\-_]+$";
const DNS_RE: &str = r"^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9\-]*[a-zA-Z0-9])?)\.)*(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)$";

static VMID: OnceLock<Regex> = OnceLock::new();
static NODE: OnceLock<Regex> = OnceLock::new();
static STORAGE: OnceLock<Regex> = OnceLock::new();
static TOKEN: OnceLock<Regex> = OnceLock::new();
static REALM: OnceLock<Regex> = OnceLock::new();
static ROLE: OnceLock<Regex> = OnceLock::new();
static GROUP: OnceLock<Regex> = OnceLock::new();
static POOL: OnceLock<Regex> = OnceLock::new();
static CONFIGID: OnceLock<Regex> = OnceLock::new();
static VOLUME: OnceLock<Regex> = OnceLock::new();
static PRIV: OnceLock<Regex> = OnceLock::new();
static DNS: OnceLock<Regex> = OnceLock::new();
static MAC: OnceLock<Regex> = OnceLock::new();
static USERID: OnceLock<Regex> = OnceLock::new();
static EMAIL: OnceLock<Regex> = OnceLock::new();

fn is_match(cell: &OnceLock<Regex>, pattern: &str, value: &str) -> bool {
    cell.get_or_init(|| Regex::new(pattern).expect("format regex compiles"))
        .is_match(value)
}

fn ensure(ok: bool, message: impl Into<String>) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(message.into())
    }
}

/// PVE's `pve_verify_userid`: `name@realm`, 2..=64 characters.
pub fn check_userid(value: &str) -> Result<(), String> {
    if !is_match(&USERID, r"^[^\s:/]+@[A-Za-z][A-Za-z0-9.\-_]+$", value) {
        return Err(format!(
            "value '{value}' does not look like a valid user name"
        ));
    }
    let name = value.rsplit_once('@').map(|(n, _)| n).unwrap_or(value);
    if name.len() < 2 {
        return Err(format!("user name '{value}' is too short"));
    }
    if value.len() > 64 {
        return Err(format!(
            "user name '{value}' is too long ({} > 64)",
            value.len()
        ));
    }
    Ok(())
}

fn check_email(value: &str) -> Result<(), String> {
    ensure(
        is_match(
            &EMAIL,
            r"^[\w+\-~]+(?:\.[\w+\-~]+)*@[a-zA-Z0-9\-]+(?:\.[a-zA-Z0-9\-]+)*$",
            value,
        ),
        "value does not look like a valid email address",
    )
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn formats_accept_and_reject_with_pve_wording() {
        assert!(check("pve-vmid", "100").is_ok());
        assert_eq!(
            check("pve-vmid", "0100").unwrap_err(),
            "value does not look like a valid VM ID"
        );
        assert!(check("pve-node", "pve1").is_ok());
        assert!(check("pve-node", "pve_1").is_err());
        assert!(check("pve-userid", "alice@pve").is_ok());
        assert_eq!(
            check("pve-userid", "alice").unwrap_err(),
            "value 'alice' does not look like a valid user name"
        );
        assert!(check("pve-userid-list", "alice@pve,bob@pam").is_ok());
        assert!(check("pve-userid-list", "alice@pve,bob").is_err());
        assert!(check("pve-tokenid", "alice@pve!ci").is_ok());
        assert!(check("pve-tokenid", "alice@pve").is_err());
        assert!(check("email", "a.b@example.com").is_ok());
        assert!(check("email", "nope").is_err());
        assert!(check("pve-volume-id", "local:vztmpl/x.tar.zst").is_ok());
        assert!(check("pve-volume-id", "x").is_err());
        assert!(check("pve-storage-id", "local-lvm").is_ok());
        assert!(check("pve-storage-id", "-bad").is_err());
        assert!(check("some-unknown-format", "anything").is_ok());
    }
}
