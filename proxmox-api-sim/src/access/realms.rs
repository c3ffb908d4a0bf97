//! `/access/domains` (the two built-in realms, `pam` and `pve`, as a fresh install has them)
//! and `GET /access/roles/{roleid}`.

use serde_json::{json, Map, Value};
use sha2::Digest;

use super::roles;
use crate::api_error::{ApiError, Reply};
use crate::call::Call;

/// A realm as `domains.cfg` has it.
#[derive(Debug, Clone)]
pub struct Realm {
    /// `pam` or `pve`.
    pub kind: &'static str,
    /// Comment.
    pub comment: String,
    /// Whether the login box preselects it.
    pub default: bool,
}

/// The realms of a fresh installation (pve-access-control's `domains.cfg` defaults).
pub fn defaults() -> Vec<(String, Realm)> {
    vec![
        (
            "pam".to_owned(),
            Realm {
                kind: "pam",
                comment: "Linux PAM standard authentication".to_owned(),
                default: false,
            },
        ),
        (
            "pve".to_owned(),
            Realm {
                kind: "pve",
                comment: "Proxmox VE authentication server".to_owned(),
                default: false,
            },
        ),
    ]
}

fn no_such_realm(realm: &str) -> ApiError {
    ApiError::internal(format!("domain '{realm}' does not exist"))
}

fn entry(name: &str, realm: &Realm, with_name: bool) -> Value {
    let mut m = Map::new();
    if with_name {
        m.insert("realm".into(), json!(name));
    }
    m.insert("type".into(), json!(realm.kind));
    m.insert("comment".into(), json!(realm.comment));
    if realm.default {
        m.insert("default".into(), json!(1));
    }
    Value::Object(m)
}

/// `GET /access/domains`.
pub fn list(realms: &[(String, Realm)]) -> Reply {
    Ok(Value::Array(
        realms.iter().map(|(n, r)| entry(n, r, true)).collect(),
    ))
}

/// `GET /access/domains/{realm}`.
pub fn get(realms: &[(String, Realm)], call: &Call) -> Reply {
    let name = call.required("realm")?;
    let (_, realm) = realms
        .iter()
        .find(|(n, _)| n == name)
        .ok_or_else(|| no_such_realm(name))?;
    let mut v = entry(name, realm, false);
    if let Value::Object(m) = &mut v {
        m.insert(
            "digest".into(),
            json!(super::crypto::hex(
                sha2::Sha256::digest(
                    format!("{name}:{}:{}", realm.comment, realm.default).as_bytes()
                )
                .as_slice()
            )),
        );
    }
    Ok(v)
}

/// `PUT /access/domains/{realm}` for the built-in realms: `comment` and `default` (one default
/// at most, as PVE keeps it); other options belong to realm types the simulator does not model.
pub fn update(realms: &mut [(String, Realm)], call: &Call) -> Reply {
    let name = call.required("realm")?.to_owned();
    if !realms.iter().any(|(n, _)| *n == name) {
        return Err(no_such_realm(&name));
    }
    let default = call.bool("default");
    for (n, realm) in realms.iter_mut() {
        if *n == name {
            if let Some(c) = call.str("comment") {
                realm.comment = c.to_owned();
            }
            if let Some(d) = default {
                realm.default = d;
            }
        } else if default == Some(true) {
            realm.default = false;
        }
    }
    for key in call.str("delete").unwrap_or("").split([',', ';', ' ']) {
        match key {
            "comment" => {
                if let Some((_, r)) = realms.iter_mut().find(|(n, _)| *n == name) {
                    r.comment.clear();
                }
            }
            "default" => {
                if let Some((_, r)) = realms.iter_mut().find(|(n, _)| *n == name) {
                    r.default = false;
                }
            }
            _ => {}
        }
    }
    Ok(Value::Null)
}

/// `GET /access/roles/{roleid}`: the role's privileges as `{"VM.Audit": 1, ...}`.
pub fn role(call: &Call) -> Reply {
    let roleid = call.required("roleid")?;
    let privs = roles::role(roleid)
        .ok_or_else(|| ApiError::internal(format!("role '{roleid}' does not exist")))?;
    let map: Map<String, Value> = privs.names().map(|p| (p.to_owned(), json!(1))).collect();
    Ok(Value::Object(map))
}
