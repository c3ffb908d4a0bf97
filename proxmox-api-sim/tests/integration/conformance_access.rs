//! The access methods answer with the keys and JSON types of the responses recorded from real
//! PVE servers (`tests/access_fixtures`).

use crate::infra_support;

use std::time::{Duration, UNIX_EPOCH};

use infra_support::Session;
use proxmox_api_sim::{SimClock, Simulator};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/access_fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str::<Value>(&text).unwrap()["data"].clone()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every key both have must have the same JSON type; `required` keys must be present in ours.
fn assert_same_shape(ours: &Value, theirs: &Value, required: &[&str], what: &str) {
    let (Value::Object(o), Value::Object(t)) = (ours, theirs) else {
        panic!("{what}: not objects: {ours} / {theirs}");
    };
    for key in required {
        assert!(o.contains_key(*key), "{what}: missing '{key}' in {ours}");
    }
    for (key, value) in o {
        if let Some(expected) = t.get(key) {
            assert_eq!(
                kind(value),
                kind(expected),
                "{what}.{key}: {value} vs {expected}"
            );
        }
    }
}

async fn sim() -> proxmox_api_sim::RunningSimulator {
    Simulator::builder()
        .clock(SimClock::frozen_at(
            UNIX_EPOCH + Duration::from_secs(1_750_000_000),
        ))
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn ticket_answer_matches_fixture() {
    let sim = sim().await;
    let anon = Session::anonymous(&sim);
    let ours = anon
        .post(
            "/access/ticket",
            &[("username", "root@pam"), ("password", sim.password())],
        )
        .await
        .data();
    let theirs = fixture("access__ticket.json");
    assert_same_shape(
        &ours,
        &theirs,
        &[
            "username",
            "ticket",
            "CSRFPreventionToken",
            "cap",
            "clustername",
        ],
        "ticket",
    );
    for area in ["vms", "storage", "access", "nodes", "sdn", "dc"] {
        assert!(ours["cap"][area].is_object(), "cap.{area}");
    }
    assert_eq!(ours["cap"]["vms"]["VM.Allocate"], 1);
    // CSRF token shape: 8 hex, colon, 43 base64 characters (as the fixture's).
    let csrf = ours["CSRFPreventionToken"].as_str().unwrap();
    let fixture_csrf = theirs["CSRFPreventionToken"].as_str().unwrap();
    assert_eq!(csrf.len(), fixture_csrf.len());
    assert_eq!(&csrf[8..9], ":");

    sim.control().add_user("tfa@pve", "tfa-password");
    sim.control().enable_totp("tfa@pve");
    let ours = anon
        .post(
            "/access/ticket",
            &[("username", "tfa@pve"), ("password", "tfa-password")],
        )
        .await
        .data();
    assert_same_shape(
        &ours,
        &fixture("access__ticket.needtfa.json"),
        &["ticket", "NeedTFA"],
        "needtfa",
    );
}

#[tokio::test]
async fn users_acl_and_version_match_fixtures() {
    let sim = sim().await;
    let root = Session::root(&sim).await;
    let r = root
        .post(
            "/access/users",
            &[
                ("userid", "user1@pve"),
                ("password", "user1-password"),
                ("email", "first1.last1@email.com"),
                ("firstname", "first1"),
                ("lastname", "last1"),
                ("expire", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    let fixture_users = fixture("access__users.json");
    let fixture_user = fixture_users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userid"] == "user1@pve")
        .unwrap()
        .clone();
    let ours = root.get("/access/users").await.data();
    let user1 = ours
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userid"] == "user1@pve")
        .unwrap()
        .clone();
    let fixture_keys: Vec<&str> = fixture_user
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_same_shape(&user1, &fixture_user, &fixture_keys, "users[]");

    root.post(
        "/access/users/user1@pve/token/token1",
        &[("privsep", "0"), ("expire", "1000")],
    )
    .await
    .data();
    let ours = root.get("/access/users/user1@pve").await.data();
    let theirs = fixture("access__users__userid.json");
    assert_same_shape(
        &ours,
        &theirs,
        &[
            "enable",
            "expire",
            "email",
            "firstname",
            "lastname",
            "tokens",
            "groups",
        ],
        "user",
    );
    assert_same_shape(
        &ours["tokens"]["token1"],
        &theirs["tokens"]["token1"],
        &["privsep", "expire"],
        "user.tokens",
    );
    assert_eq!(ours["tokens"]["token1"]["expire"], 1000);

    let r = root
        .put(
            "/access/acl",
            &[("path", "/"), ("users", "user1@pve"), ("roles", "PVEAdmin")],
        )
        .await;
    assert_eq!(r.status, 200);
    let ours = root.get("/access/acl").await.data();
    let theirs = fixture("access__acl.json");
    assert_same_shape(
        &ours[0],
        &theirs[0],
        &["path", "ugid", "type", "roleid", "propagate"],
        "acl[]",
    );

    let ours = root.get("/version").await.data();
    assert_same_shape(
        &ours,
        &fixture("nodes__node__version.pve7.4-16.json"),
        &["release", "version", "repoid"],
        "version",
    );
    assert_eq!(ours["repoid"].as_str().unwrap().len(), 16, "9.x repoid");
}
