//! Replays every example request of the 2016 spec (`spec/proxmox-api.apib`, copied into the
//! repository) against the gateway over the simulator, authenticated as the owning user (an
//! administrator for creating and deleting users), and checks each answer's status and shape.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use serde_json::{json, Map, Value};

const SPEC: &str = include_str!("../spec/proxmox-api.apib");

/// Every (method, path) of the spec with the argument names of its example request. The spec's
/// `OPTIONS` sections say "Use method REPORT", so they are replayed as REPORT (and OPTIONS).
fn spec_requests() -> BTreeMap<(String, String), Vec<String>> {
    let mut out = BTreeMap::new();
    let (mut path, mut method) = (String::new(), String::new());
    let mut in_request = false;
    for line in SPEC.lines() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("## ") {
            if let Some(start) = rest.find('[') {
                path = rest[start + 1..rest.len() - 1].to_owned();
            }
            in_request = false;
        } else if let Some(m) = trimmed.strip_prefix("### ") {
            method = if m == "OPTIONS" {
                "REPORT".into()
            } else {
                m.to_owned()
            };
            out.insert((method.clone(), path.clone()), Vec::new());
            in_request = false;
        } else if trimmed.starts_with("+ Request") {
            in_request = true;
        } else if trimmed.starts_with("+ Response") || trimmed.starts_with("- Response") {
            in_request = false;
        } else if in_request {
            // `"name": ...` or `name: ...` (the POST /container example is JavaScript).
            let key = trimmed.trim_start_matches('"').trim_start_matches('\'');
            if let Some((name, _)) = key.split_once(':') {
                let name = name.trim_end_matches(['"', '\'']);
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    if let Some(keys) = out.get_mut(&(method.clone(), path.clone())) {
                        keys.push(name.to_owned());
                    }
                }
            }
        }
    }
    out
}

/// The spec's example request with its placeholders replaced by `values`.
fn body_for(keys: &[String], values: &Map<String, Value>) -> Value {
    let mut body = Map::new();
    for key in keys {
        let value = values
            .get(key)
            .unwrap_or_else(|| panic!("no value for the spec's argument '{key}'"));
        body.insert(key.clone(), value.clone());
    }
    Value::Object(body)
}

fn keys_of(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// `value` is `{node: {"data": ..}}` for at least one node; returns the first `data`.
fn per_node_data(value: &Value) -> &Value {
    let nodes = value
        .as_object()
        .unwrap_or_else(|| panic!("by node: {value}"));
    assert!(!nodes.is_empty(), "{value}");
    for (node, entry) in nodes {
        assert!(node.starts_with("pve"), "{value}");
        assert!(entry.get("data").is_some(), "{value}");
    }
    &nodes.values().next().unwrap()["data"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_request_of_the_spec_replays_with_the_specs_shape() {
    let env = start(Options::default()).await;
    let addr = env.addr;
    let spec = spec_requests();
    let expected: BTreeSet<(String, String)> = spec.keys().cloned().collect();
    assert_eq!(expected.len(), 14, "{expected:?}");
    let mut replayed = BTreeSet::new();
    let admin = login(addr, "admin", ADMIN_PASSWORD).await;
    let mut values: Map<String, Value> = json!({
        "username": "carol", "password": "carol-pass-1",
        "cpu": 1, "hostname": "carol1", "memory": 512, "ostype": "debian",
        "storage": "local-lvm", "swap": 256, "disk": 4,
    })
    .as_object()
    .unwrap()
    .clone();

    let mut replay =
        |method: &str, path: &str, token: String, extra: Value, values: &Map<String, Value>| {
            let keys = spec
                .get(&(method.to_owned(), path.to_owned()))
                .unwrap_or_else(|| panic!("{method} {path} is not in the spec"))
                .clone();
            replayed.insert((method.to_owned(), path.to_owned()));
            let mut body = body_for(&keys, values);
            if let (Value::Object(body), Value::Object(extra)) = (&mut body, extra) {
                body.extend(extra);
            }
            let method = method.to_owned();
            let path = path.to_owned();
            async move { call(addr, &method, &path, Some(&token), Some(body)).await }
        };

    // Users: an administrator creates carol; carol works as herself.
    let (status, created) = replay("POST", "/user", admin.clone(), json!({}), &values).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["username"], "carol");
    let carol = login(addr, "carol", "carol-pass-1").await;

    let (status, users) = replay("GET", "/user", carol.clone(), json!({}), &values).await;
    assert_eq!(status, 200, "{users}");
    let user = &users.as_array().expect("a list, as in the spec")[0];
    assert_eq!(
        keys_of(user),
        ["machines", "userid", "username"].map(String::from).into()
    );

    values.insert("password".into(), json!("carol-pass-2"));
    let (status, changed) = replay(
        "PUT",
        "/user",
        carol.clone(),
        json!({ "current_password": "carol-pass-1" }),
        &values,
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    let carol = login(addr, "carol", "carol-pass-2").await;

    // Cluster-wide reads.
    let (status, nodes) = replay("REPORT", "/node", carol.clone(), json!({}), &values).await;
    assert_eq!(status, 200, "{nodes}");
    let node = per_node_data(&nodes);
    for key in [
        "uptime",
        "memory",
        "cpuinfo",
        "loadavg",
        "rootfs",
        "swap",
        "pveversion",
        "kversion",
    ] {
        assert!(node.get(key).is_some(), "{key} in {node}");
    }
    let (status, options) = call(addr, "OPTIONS", "/node", Some(&carol), None).await;
    assert_eq!((status, &options), (200, &nodes));

    let (status, templates) = replay("GET", "/template", carol.clone(), json!({}), &values).await;
    assert_eq!(status, 200, "{templates}");
    let template = per_node_data(&templates)[0].clone();
    for key in ["volid", "size", "format", "content"] {
        assert!(template.get(key).is_some(), "{key} in {template}");
    }
    values.insert("template".into(), template["volid"].clone());

    let (status, next) = replay("GET", "/cluster/nextid", carol.clone(), json!({}), &values).await;
    assert_eq!(status, 200, "{next}");
    assert!(next["data"].as_u64().is_some_and(|id| id >= 100), "{next}");

    // A container's life, as its owner.
    let (status, created) = replay(
        "POST",
        "/container",
        carol.clone(),
        json!({ "ssh_public_key": SSH_KEY }),
        &values,
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let vmid = created["id"]
        .as_u64()
        .expect("{\"id\": 100} as in the spec");
    values.insert("id".into(), json!(vmid));

    let (status, container) = replay("GET", "/container", carol.clone(), json!({}), &values).await;
    assert_eq!(status, 200, "{container}");
    let data = per_node_data(&container);
    for key in ["status", "name", "maxmem", "maxdisk", "cpus"] {
        assert!(data.get(key).is_some(), "{key} in {data}");
    }

    let (status, vnc) = replay("GET", "/utils/vnc", carol.clone(), json!({}), &values).await;
    assert_eq!(status, 200, "{vnc}");
    assert_eq!(keys_of(&vnc), ["url"].map(String::from).into());
    assert!(
        vnc["url"]
            .as_str()
            .unwrap()
            .contains(&format!("vmid={vmid}")),
        "{vnc}"
    );

    let (status, graph) = replay("GET", "/utils/graphic", carol.clone(), json!({}), &values).await;
    assert_eq!(status, 200, "{graph}");
    assert!(
        per_node_data(&graph)
            .as_array()
            .is_some_and(|rows| rows.iter().all(|r| r.get("time").is_some())),
        "{graph}"
    );

    let (status, resources) = replay("REPORT", "/cluster", carol.clone(), json!({}), &values).await;
    assert_eq!(status, 200, "{resources}");
    let rows = resources["data"].as_array().expect("{data: [..]}");
    assert!(
        rows.iter()
            .any(|r| r["type"] == "node" && r.get("maxmem").is_some()),
        "{resources}"
    );
    assert!(
        rows.iter()
            .any(|r| r["type"] == "lxc" && r["vmid"] == json!(vmid)),
        "{resources}"
    );

    let (status, deleted) = replay("DELETE", "/container", carol.clone(), json!({}), &values).await;
    assert_eq!(status, 200, "{deleted}");
    assert!(deleted.get("message").is_some(), "{deleted}");

    let (status, log) = replay("GET", "/cluster", carol.clone(), json!({}), &values).await;
    assert_eq!(status, 200, "{log}");
    let entry = log
        .as_array()
        .expect("a list")
        .iter()
        .find(|r| r["destroy"] == json!(vmid.to_string()))
        .unwrap_or_else(|| panic!("{vmid} in {log}"));
    let date = entry["date"].as_str().expect("a date");
    assert!(
        date.len() == 24 && date.ends_with('Z') && date.as_bytes()[10] == b'T',
        "{date}"
    );

    let (status, deleted) = replay("DELETE", "/user", admin.clone(), json!({}), &values).await;
    assert_eq!(status, 200, "{deleted}");
    assert!(env.root.users().get("carol@pve").await.is_err());

    assert_eq!(
        replayed, expected,
        "every example request of the spec was replayed"
    );
}
