//! Groups with members, group ACL entries honoured by permission checks, users' `groups`, and
//! the `confirmation-password` rule of `PUT /access/password` (PVE 8/9).

use crate::infra_support;

use std::time::{Duration, UNIX_EPOCH};

use infra_support::Session;
use proxmox_api_sim::{SimClock, Simulator};
use serde_json::json;

async fn frozen_sim() -> proxmox_api_sim::RunningSimulator {
    Simulator::builder()
        .clock(SimClock::frozen_at(
            UNIX_EPOCH + Duration::from_secs(1_750_000_000),
        ))
        .auth_failure_delay(Duration::ZERO)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn group_lifecycle_with_members_and_pve_errors() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    let r = root
        .post(
            "/access/groups",
            &[("groupid", "gateway-users"), ("comment", "managed")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    let r = root
        .post("/access/groups", &[("groupid", "gateway-users")])
        .await;
    assert_eq!(r.status, 500);
    assert_eq!(r.message(), "group 'gateway-users' already exists\n");

    // Users join on create and on update (replace, or append).
    let r = root
        .post(
            "/access/users",
            &[
                ("userid", "alice@pve"),
                ("password", "alice-password"),
                ("groups", "gateway-users"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    let r = root
        .post(
            "/access/users",
            &[("userid", "bob@pve"), ("groups", "nope")],
        )
        .await;
    assert_eq!(r.status, 500);
    assert_eq!(r.message(), "no such group 'nope'\n");
    assert_eq!(
        root.get("/access/users/bob@pve").await.status,
        500,
        "not created"
    );

    assert_eq!(
        root.post("/access/groups", &[("groupid", "admins")])
            .await
            .status,
        200
    );
    sim.control().add_user("bob@pve", "bob-password");
    let r = root
        .put("/access/users/bob@pve", &[("groups", "admins")])
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    let r = root
        .put(
            "/access/users/bob@pve",
            &[("groups", "gateway-users"), ("append", "1")],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        root.get("/access/users/bob@pve").await.data()["groups"],
        json!(["admins", "gateway-users"])
    );
    let r = root
        .put("/access/users/alice@pve", &[("groups", "admins")])
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        root.get("/access/users/alice@pve").await.data()["groups"],
        json!(["admins"]),
        "without append the list replaces the membership"
    );

    let group = root.get("/access/groups/admins").await.data();
    assert_eq!(group["members"], json!(["alice@pve", "bob@pve"]));
    let list = root.get("/access/groups").await.data();
    assert_eq!(
        list,
        json!([
            {"groupid": "admins", "users": "alice@pve,bob@pve"},
            {"groupid": "gateway-users", "comment": "managed", "users": "bob@pve"},
        ])
    );
    let users = root
        .send(reqwest::Method::GET, "/access/users", &[("full", "1")])
        .await
        .data();
    let bob = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userid"] == "bob@pve")
        .unwrap();
    assert_eq!(bob["groups"], "admins,gateway-users");

    let r = root
        .put("/access/groups/admins", &[("comment", "gateway admins")])
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        root.get("/access/groups/admins").await.data()["comment"],
        "gateway admins"
    );

    // Deleting a user leaves the group; deleting a group drops its ACL entries.
    assert_eq!(root.delete("/access/users/bob@pve").await.status, 200);
    assert_eq!(
        root.get("/access/groups/admins").await.data()["members"],
        json!(["alice@pve"])
    );
    let r = root
        .put(
            "/access/acl",
            &[
                ("path", "/vms"),
                ("groups", "admins"),
                ("roles", "PVEVMAdmin"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(root.delete("/access/groups/admins").await.status, 200);
    let acl = root.get("/access/acl").await.data();
    assert!(
        acl.as_array().unwrap().iter().all(|e| e["type"] != "group"),
        "{acl}"
    );
    let r = root.get("/access/groups/admins").await;
    assert_eq!(r.status, 500);
    assert_eq!(r.message(), "group 'admins' does not exist\n");
    assert_eq!(root.delete("/access/groups/admins").await.status, 500);
    let r = root
        .put(
            "/access/acl",
            &[
                ("path", "/vms"),
                ("groups", "admins"),
                ("roles", "PVEVMAdmin"),
            ],
        )
        .await;
    assert_eq!(r.status, 500);
    assert_eq!(r.message(), "group 'admins' does not exist\n");
}

#[tokio::test]
async fn group_acl_entries_grant_their_members_and_only_them() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    sim.control().add_user("alice@pve", "alice-password");
    sim.control().add_user("dave@pve", "dave-password");
    assert_eq!(
        root.post("/access/groups", &[("groupid", "ops")])
            .await
            .status,
        200
    );
    assert_eq!(
        root.put("/access/users/alice@pve", &[("groups", "ops")])
            .await
            .status,
        200
    );
    let r = root
        .put(
            "/access/acl",
            &[
                ("path", "/nodes"),
                ("groups", "ops"),
                ("roles", "PVEAuditor"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    let acl = root.get("/access/acl").await.data();
    assert_eq!(
        acl,
        json!([{"path": "/nodes", "ugid": "ops", "type": "group", "roleid": "PVEAuditor",
                "propagate": 1}])
    );

    let alice = Session::login(&sim, "alice@pve", "alice-password").await;
    let dave = Session::login(&sim, "dave@pve", "dave-password").await;
    assert_eq!(alice.get("/nodes/pve1/status").await.status, 200);
    let r = dave.get("/nodes/pve1/status").await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.message(),
        "Permission check failed (/nodes/pve1, Sys.Audit)\n"
    );

    // A user's own entry at the same level overrides the group's.
    let r = root
        .put(
            "/access/acl",
            &[
                ("path", "/nodes"),
                ("users", "alice@pve"),
                ("roles", "NoAccess"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(alice.get("/nodes/pve1/status").await.status, 403);

    // Leaving the group takes the group's privileges away.
    let r = root
        .put(
            "/access/acl",
            &[
                ("path", "/nodes"),
                ("users", "alice@pve"),
                ("roles", "NoAccess"),
                ("delete", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(alice.get("/nodes/pve1/status").await.status, 200);
    assert_eq!(
        root.put("/access/users/alice@pve", &[("groups", "")])
            .await
            .status,
        200
    );
    assert_eq!(alice.get("/nodes/pve1/status").await.status, 403);
}

#[tokio::test]
async fn user_management_delegated_per_group() {
    // A group admin with User.Modify on /access/groups/<g> manages exactly that group's members.
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    for g in ["managed", "other"] {
        assert_eq!(
            root.post("/access/groups", &[("groupid", g)]).await.status,
            200
        );
    }
    sim.control().add_user("admin@pve", "admin-password");
    sim.control()
        .grant("/access/groups/managed", "admin@pve", "PVEUserAdmin");
    sim.control()
        .grant("/access/realm/pve", "admin@pve", "PVEUserAdmin");
    let admin = Session::login(&sim, "admin@pve", "admin-password").await;

    let r = admin
        .post(
            "/access/users",
            &[
                ("userid", "u1@pve"),
                ("password", "u1-password"),
                ("groups", "managed"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    let r = admin
        .post(
            "/access/users",
            &[("userid", "u2@pve"), ("groups", "other")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.message(),
        "Permission check failed (/access/groups/other, User.Modify)\n"
    );
    let r = admin.post("/access/users", &[("userid", "u3@pve")]).await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.message(),
        "Permission check failed (/access/groups, User.Modify)\n"
    );

    sim.control().add_user("outsider@pve", "outsider-password");
    assert_eq!(admin.get("/access/users/u1@pve").await.status, 200);
    assert_eq!(admin.get("/access/users/outsider@pve").await.status, 403);
    let listed: Vec<String> = admin
        .get("/access/users")
        .await
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, ["admin@pve", "u1@pve"]);
    assert_eq!(admin.delete("/access/users/outsider@pve").await.status, 403);
    assert_eq!(admin.delete("/access/users/u1@pve").await.status, 200);
}

#[tokio::test]
async fn password_change_needs_the_callers_own_password_except_for_root() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    assert_eq!(
        root.post("/access/groups", &[("groupid", "managed")])
            .await
            .status,
        200
    );
    sim.control().add_user("alice@pve", "alice-password");
    sim.control().add_user("svc@pve", "svc-password");
    assert_eq!(
        root.put("/access/users/alice@pve", &[("groups", "managed")])
            .await
            .status,
        200
    );
    sim.control()
        .grant("/access/groups/managed", "svc@pve", "PVEUserAdmin");
    sim.control()
        .grant("/access/realm/pve", "svc@pve", "PVEUserAdmin");

    // root@pam needs no confirmation.
    let r = root
        .put(
            "/access/password",
            &[("userid", "alice@pve"), ("password", "alice-password-2")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());

    // Anyone else must confirm with their OWN current password.
    let alice = Session::login(&sim, "alice@pve", "alice-password-2").await;
    let r = alice
        .put(
            "/access/password",
            &[("userid", "alice@pve"), ("password", "alice-password-3")],
        )
        .await;
    assert_eq!(
        r.errors(),
        json!({"confirmation-password": "password is required to modify user"})
    );
    let r = alice
        .put(
            "/access/password",
            &[
                ("userid", "alice@pve"),
                ("password", "alice-password-3"),
                ("confirmation-password", "wrong-password"),
            ],
        )
        .await;
    assert_eq!(r.status, 500);
    assert_eq!(r.message(), "invalid credentials\n");
    let r = alice
        .put(
            "/access/password",
            &[
                ("userid", "alice@pve"),
                ("password", "alice-password-3"),
                ("confirmation-password", "alice-password-2"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    Session::login(&sim, "alice@pve", "alice-password-3").await;

    // An administrator resets a managed user's password with the ADMIN's password.
    let svc = Session::login(&sim, "svc@pve", "svc-password").await;
    let r = svc
        .put(
            "/access/password",
            &[
                ("userid", "alice@pve"),
                ("password", "reset-password"),
                ("confirmation-password", "alice-password-3"),
            ],
        )
        .await;
    assert_eq!(
        r.status, 500,
        "the target's password is not the confirmation"
    );
    let r = svc
        .put(
            "/access/password",
            &[
                ("userid", "alice@pve"),
                ("password", "reset-password"),
                ("confirmation-password", "svc-password"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    Session::login(&sim, "alice@pve", "reset-password").await;

    // Never root's, never outside the admin's groups.
    let r = svc
        .put(
            "/access/password",
            &[
                ("userid", "root@pam"),
                ("password", "hijacked-pass"),
                ("confirmation-password", "svc-password"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    sim.control().add_user("outsider@pve", "outsider-password");
    let r = svc
        .put(
            "/access/password",
            &[
                ("userid", "outsider@pve"),
                ("password", "hijacked-pass"),
                ("confirmation-password", "svc-password"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn api_tokens_cannot_change_passwords() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    let token = root
        .post("/access/users/root@pam/token/ci", &[("privsep", "0")])
        .await
        .data();
    let tokened = Session::with_token(&sim, "root@pam!ci", token["value"].as_str().unwrap());
    sim.control().add_user("alice@pve", "alice-password");
    let r = tokened
        .put(
            "/access/password",
            &[("userid", "alice@pve"), ("password", "token-set-pass")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.message(),
        "Permission check failed (URI '/access/password' not available with API token, need proper ticket.\n)\n"
    );
    Session::login(&sim, "alice@pve", "alice-password").await;
}
