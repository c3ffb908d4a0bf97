//! Tickets, renewal, CSRF, API tokens with privilege separation, users, ACLs, permissions, TFA.

use crate::infra_support;

use std::time::{Duration, UNIX_EPOCH};

use infra_support::{Auth, Session};
use proxmox_api_sim::{SimClock, Simulator};
use serde_json::Value;

async fn frozen_sim() -> proxmox_api_sim::RunningSimulator {
    Simulator::builder()
        .clock(SimClock::frozen_at(
            UNIX_EPOCH + Duration::from_secs(1_750_000_000),
        ))
        .start()
        .await
        .unwrap()
}

fn ticket_of(s: &Session) -> String {
    match &s.auth {
        Auth::Ticket { ticket, .. } => ticket.clone(),
        _ => panic!("not a ticket session"),
    }
}

#[tokio::test]
async fn ticket_has_pve_format_and_lives_two_hours() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    let ticket = ticket_of(&root);
    let parts: Vec<&str> = ticket.splitn(5, ':').collect();
    assert_eq!(parts[0], "PVE");
    assert_eq!(parts[1], "root@pam");
    assert_eq!(parts[2], format!("{:08X}", 1_750_000_000u32));
    assert_eq!(parts[3], "");
    assert!(!parts[4].is_empty());
    assert_eq!(root.get("/version").await.status, 200);

    sim.control().advance_clock(Duration::from_secs(7200));
    assert_eq!(
        root.get("/version").await.status,
        200,
        "valid for exactly 2 h"
    );
    sim.control().advance_clock(Duration::from_secs(1));
    let r = root.get("/version").await;
    assert_eq!(r.status, 401);
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn renewal_with_the_ticket_as_password() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    let old = ticket_of(&root);
    sim.control().advance_clock(Duration::from_secs(3600));
    let r = root
        .post(
            "/access/ticket",
            &[("username", "root@pam"), ("password", &old)],
        )
        .await;
    let data = r.data();
    let new = data["ticket"].as_str().unwrap();
    assert_ne!(new, old);
    assert!(new.contains(&format!(":{:08X}::", 1_750_000_000u32 + 3600)));
    // The renewed ticket outlives the old one.
    sim.control()
        .advance_clock(Duration::from_secs(3601 + 1800));
    let mut renewed = Session::anonymous(&sim);
    renewed.auth = Auth::Ticket {
        ticket: new.to_owned(),
        csrf: data["CSRFPreventionToken"].as_str().unwrap().to_owned(),
    };
    assert_eq!(renewed.get("/version").await.status, 200);
    assert_eq!(root.get("/version").await.status, 401);
    // An expired ticket cannot renew.
    let r = root
        .post(
            "/access/ticket",
            &[("username", "root@pam"), ("password", &old)],
        )
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn wrong_password_is_401_authentication_failure() {
    let sim = frozen_sim().await;
    let anon = Session::anonymous(&sim);
    let r = anon
        .post(
            "/access/ticket",
            &[("username", "root@pam"), ("password", "wrong")],
        )
        .await;
    assert_eq!(r.status, 401);
    // The login call, unlike every other 401, has a body (PVE >= 8.3 adds `message`).
    assert_eq!(
        r.json(),
        serde_json::json!({"data": null, "message": "authentication failure\n"})
    );
    let r = anon.get("/nodes").await;
    assert_eq!(r.status, 401);
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn csrf_token_required_on_writes_only() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    let mut no_csrf = root.clone();
    no_csrf.auth = Auth::Ticket {
        ticket: ticket_of(&root),
        csrf: "00000000:bogus".into(),
    };
    assert_eq!(no_csrf.get("/access/users").await.status, 200);
    let r = no_csrf
        .post(
            "/access/users",
            &[("userid", "carol@pve"), ("password", "password123")],
        )
        .await;
    assert_eq!(r.status, 401);
    assert!(r.body.is_empty());
    let r = root
        .post(
            "/access/users",
            &[("userid", "carol@pve"), ("password", "password123")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
}

#[tokio::test]
async fn users_lifecycle_and_pve_realm_login() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    let r = root
        .post(
            "/access/users",
            &[
                ("userid", "alice@pve"),
                ("password", "alice-password"),
                ("email", "alice@example.com"),
                ("firstname", "Alice"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    let again = root
        .post(
            "/access/users",
            &[("userid", "alice@pve"), ("password", "alice-password")],
        )
        .await;
    assert_eq!(again.status, 500);
    assert_eq!(again.message(), "user 'alice@pve' already exists\n");
    let bad_realm = root
        .post("/access/users", &[("userid", "x1@nowhere")])
        .await;
    assert_eq!(
        bad_realm.message(),
        "auth domain 'nowhere' does not exist\n"
    );

    let users = root.get("/access/users").await.data();
    let alice = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userid"] == "alice@pve")
        .expect("listed");
    assert_eq!(alice["realm-type"], "pve");
    assert_eq!(alice["enable"], 1);
    assert_eq!(alice["email"], "alice@example.com");
    assert!(alice.get("password").is_none());

    let one = root.get("/access/users/alice@pve").await.data();
    assert_eq!(one["firstname"], "Alice");
    assert!(one["tokens"].is_object());

    let alice_s = Session::login(&sim, "alice@pve", "alice-password").await;
    // A plain user sees only themselves.
    let seen = alice_s.get("/access/users").await.data();
    assert_eq!(seen.as_array().unwrap().len(), 1);

    // Own password change, then the old one fails.
    let r = alice_s
        .put(
            "/access/password",
            &[
                ("userid", "alice@pve"),
                ("password", "new-password-1"),
                ("confirmation-password", "alice-password"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    let anon = Session::anonymous(&sim);
    let r = anon
        .post(
            "/access/ticket",
            &[("username", "alice@pve"), ("password", "alice-password")],
        )
        .await;
    assert_eq!(r.status, 401);
    Session::login(&sim, "alice@pve", "new-password-1").await;
    // Not someone else's.
    let r = alice_s
        .put(
            "/access/password",
            &[("userid", "root@pam"), ("password", "hijacked-pass")],
        )
        .await;
    assert_eq!(r.status, 403);

    assert_eq!(root.delete("/access/users/alice@pve").await.status, 200);
    let r = root.get("/access/users/alice@pve").await;
    assert_eq!(r.status, 500);
    assert_eq!(r.message(), "no such user ('alice@pve')\n");
}

#[tokio::test]
async fn acl_permissions_and_403_wording() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    sim.control().add_user("bob@pve", "bob-password");
    let bob = Session::login(&sim, "bob@pve", "bob-password").await;

    let r = bob.get("/nodes/pve1/status").await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.message(),
        "Permission check failed (/nodes/pve1, Sys.Audit)\n"
    );
    let r = bob.get("/access/acl").await;
    assert_eq!(r.data(), Value::Array(vec![]));

    let r = root
        .put(
            "/access/acl",
            &[
                ("path", "/vms/100"),
                ("users", "bob@pve"),
                ("roles", "PVEVMUser"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    let acl = root.get("/access/acl").await.data();
    assert_eq!(
        acl,
        serde_json::json!([{"path": "/vms/100", "ugid": "bob@pve", "type": "user", "roleid": "PVEVMUser", "propagate": 1}])
    );
    let r = root
        .put(
            "/access/acl",
            &[
                ("path", "/vms/100"),
                ("users", "bob@pve"),
                ("roles", "NoSuchRole"),
            ],
        )
        .await;
    assert_eq!(r.message(), "role 'NoSuchRole' does not exist\n");
    let r = root
        .put(
            "/access/acl",
            &[
                ("path", "/bogus/x"),
                ("users", "bob@pve"),
                ("roles", "PVEVMUser"),
            ],
        )
        .await;
    assert_eq!(r.errors()["path"], "invalid ACL path '/bogus/x'");
    let r = root
        .put(
            "/access/acl",
            &[
                ("path", "/vms/100"),
                ("users", "ghost@pve"),
                ("roles", "PVEVMUser"),
            ],
        )
        .await;
    assert_eq!(r.message(), "user 'ghost@pve' does not exist\n");

    // Bob may now power-manage 100 (the permission check passes; 101 does not).
    let r = bob.post("/nodes/pve1/lxc/101/status/start", &[]).await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.message(),
        "Permission check failed (/vms/101, VM.PowerMgmt)\n"
    );
    let r = bob.post("/nodes/pve1/lxc/100/status/start", &[]).await;
    assert_ne!(r.status, 403, "{:?}", r.json());
    // ...but not delete it.
    let r = bob.delete("/nodes/pve1/lxc/100").await;
    assert_eq!(
        r.message(),
        "Permission check failed (/vms/100, VM.Allocate)\n"
    );
    // Nor change ACLs.
    let r = bob
        .put(
            "/access/acl",
            &[
                ("path", "/vms/100"),
                ("users", "bob@pve"),
                ("roles", "Administrator"),
            ],
        )
        .await;
    assert_eq!(
        r.message(),
        "Permission check failed (/vms/100, Permissions.Modify)\n"
    );

    let r = root
        .put(
            "/access/acl",
            &[
                ("path", "/vms/100"),
                ("users", "bob@pve"),
                ("roles", "PVEVMUser"),
                ("delete", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(root.get("/access/acl").await.data(), Value::Array(vec![]));
    assert_eq!(
        bob.post("/nodes/pve1/lxc/100/status/start", &[])
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn api_tokens_with_and_without_privilege_separation() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    sim.control().add_user("ci@pve", "ci-password");
    sim.control().grant("/", "ci@pve", "PVEAuditor");

    let created = root
        .post("/access/users/ci@pve/token/sep", &[])
        .await
        .data();
    assert_eq!(created["full-tokenid"], "ci@pve!sep");
    assert_eq!(created["info"]["privsep"], 1);
    let sep_secret = created["value"].as_str().unwrap().to_owned();
    assert_eq!(sep_secret.len(), 36);
    let full = root
        .post("/access/users/ci@pve/token/full", &[("privsep", "0")])
        .await
        .data();
    let full_secret = full["value"].as_str().unwrap().to_owned();

    let listed = root.get("/access/users/ci@pve/token").await.data();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tokenid"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["full", "sep"]);
    assert!(
        !String::from_utf8_lossy(&root.get("/access/users/ci@pve/token/sep").await.body)
            .contains(&sep_secret)
    );

    let sep = Session::with_token(&sim, "ci@pve!sep", &sep_secret);
    let fullt = Session::with_token(&sim, "ci@pve!full", &full_secret);
    // Without privilege separation the token has the user's rights (Sys.Audit via PVEAuditor).
    assert_eq!(fullt.get("/access/users/ci@pve").await.status, 200);
    // With it, nothing until its own ACL grants something.
    let r = sep.get("/access/users/ci@pve").await;
    // PVE's `userid-group` check raises a bare `raise_perm_exc()` here.
    assert_eq!(r.status, 403);
    assert_eq!(r.message(), "Permission check failed\n");
    let r = root
        .put(
            "/access/acl",
            &[
                ("path", "/"),
                ("tokens", "ci@pve!sep"),
                ("roles", "Administrator"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    // The intersection: Sys.Audit (the user has it) but never more than the user.
    assert_eq!(sep.get("/access/users/ci@pve").await.status, 200);
    let r = sep
        .put("/nodes/pve1/dns", &[("search", "example.com")])
        .await;
    assert_eq!(
        r.message(),
        "Permission check failed (/nodes/pve1, Sys.Modify)\n"
    );
    let r = sep.post("/access/users", &[("userid", "x2@pve")]).await;
    assert_eq!(
        r.message(),
        "Permission check failed (/access/realm/pve, Realm.AllocateUser)\n"
    );

    // Tokens need no CSRF token for writes; a wrong secret is a 401.
    let bad = Session::with_token(&sim, "ci@pve!sep", "00000000-0000-4000-8000-000000000000");
    let r = bad.get("/version").await;
    assert_eq!(r.status, 401);
    assert!(r.body.is_empty());

    assert_eq!(
        root.delete("/access/users/ci@pve/token/sep").await.status,
        200
    );
    assert_eq!(sep.get("/version").await.status, 401);
    let r = root.delete("/access/users/ci@pve/token/sep").await;
    assert_eq!(r.message(), "no such token 'sep' for user 'ci@pve'\n");
}

#[tokio::test]
async fn totp_second_factor() {
    let sim = frozen_sim().await;
    sim.control().add_user("tina@pve", "tina-password");
    let secret = sim.control().enable_totp("tina@pve").unwrap();
    assert!(secret.len() >= 16);
    let anon = Session::anonymous(&sim);
    let first = anon
        .post(
            "/access/ticket",
            &[("username", "tina@pve"), ("password", "tina-password")],
        )
        .await
        .data();
    assert_eq!(first["NeedTFA"], 1);
    let challenge = first["ticket"].as_str().unwrap().to_owned();
    assert!(challenge.contains("!tfa!"));
    // The challenge is no ticket.
    let mut s = anon.clone();
    s.auth = Auth::Ticket {
        ticket: challenge.clone(),
        csrf: String::new(),
    };
    assert_eq!(s.get("/version").await.status, 401);
    // A wrong code fails, the right one gives a full ticket.
    let r = anon
        .post(
            "/access/ticket",
            &[
                ("username", "tina@pve"),
                ("tfa-challenge", &challenge),
                ("password", "totp:000000"),
            ],
        )
        .await;
    let code = sim.control().totp_code("tina@pve").unwrap();
    if code != "000000" {
        assert_eq!(r.status, 401);
    }
    let second = anon
        .post(
            "/access/ticket",
            &[
                ("username", "tina@pve"),
                ("tfa-challenge", &challenge),
                ("password", &format!("totp:{code}")),
            ],
        )
        .await
        .data();
    assert!(second.get("NeedTFA").is_none());
    assert!(second["ticket"]
        .as_str()
        .unwrap()
        .starts_with("PVE:tina@pve:"));
    // A recovery code works once.
    let recovery = sim.control().recovery_codes("tina@pve")[0].clone();
    for expected in [200, 401] {
        let first = anon
            .post(
                "/access/ticket",
                &[("username", "tina@pve"), ("password", "tina-password")],
            )
            .await
            .data();
        let r = anon
            .post(
                "/access/ticket",
                &[
                    ("username", "tina@pve"),
                    ("tfa-challenge", first["ticket"].as_str().unwrap()),
                    ("password", &format!("recovery:{recovery}")),
                ],
            )
            .await;
        assert_eq!(r.status, expected);
    }
}

#[tokio::test]
async fn expire_tickets_fault_logs_everyone_out() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    assert_eq!(root.get("/version").await.status, 200);
    sim.control().expire_tickets();
    let r = root.get("/version").await;
    assert_eq!(r.status, 401);
    // Logging in again works at once.
    let again = Session::root(&sim).await;
    assert_eq!(again.get("/version").await.status, 200);
}
