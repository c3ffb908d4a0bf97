//! The attacks of issue 9, each against the gateway over the simulator. On the 2016-style service
//! (no caller authentication) every one of these succeeded.

use crate::common;

use std::time::{Duration, SystemTime};

use common::*;
use proxmox_api_core::{Clock, SystemClock};
use serde_json::{json, Value};

/// Every route of the spec, as (method, path, body).
fn every_route(vmid: u64) -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("GET", "/user", json!({})),
        (
            "POST",
            "/user",
            json!({ "username": "mallory", "password": "mallory-pass" }),
        ),
        (
            "PUT",
            "/user",
            json!({ "username": "admin", "password": "taken-over-1" }),
        ),
        ("DELETE", "/user", json!({ "username": "svc" })),
        ("REPORT", "/node", json!({})),
        ("GET", "/template", json!({})),
        ("GET", "/utils/vnc", json!({ "id": vmid })),
        ("GET", "/utils/graphic", json!({ "id": vmid })),
        ("REPORT", "/cluster", json!({})),
        ("GET", "/cluster", json!({})),
        ("GET", "/cluster/nextid", json!({})),
        ("GET", "/container", json!({ "id": vmid })),
        (
            "POST",
            "/container",
            json!({ "username": "alice", "template": "x", "hostname": "h", "root_password": ALICE_PASSWORD }),
        ),
        (
            "DELETE",
            "/container",
            json!({ "id": vmid, "username": "dave" }),
        ),
        ("POST", "/login/renew", json!({})),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthenticated_and_forged_calls_get_401_and_change_nothing() {
    let env = start(Options::default()).await;
    let alice = login(env.addr, "alice", ALICE_PASSWORD).await;
    let vmid = create_container(env.addr, &alice, "web1").await;

    let forged = {
        // A token with the user id swapped keeps its shape but not its MAC.
        let mut parts: Vec<String> = alice.split('.').map(str::to_owned).collect();
        parts[1] = "YWRtaW5AcHZl".to_owned(); // base64url("admin@pve")
        parts.join(".")
    };
    for token in [None, Some("garbage"), Some(forged.as_str())] {
        for (method, path, body) in every_route(vmid) {
            let (status, answer) = call(env.addr, method, path, token, Some(body)).await;
            assert_eq!(status, 401, "{method} {path} with {token:?}: {answer}");
            assert_eq!(answer["code"], "UNAUTHENTICATED", "{answer}");
        }
    }
    // Nothing happened behind the gateway.
    assert!(env.root.containers().get(vmid as u32).await.is_ok());
    assert!(env.root.login_as("admin@pve", ADMIN_PASSWORD).await.is_ok());
    assert!(env.root.users().get("svc@pve").await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dave_cannot_read_open_graph_or_destroy_alices_container() {
    let env = start(Options::default()).await;
    let alice = login(env.addr, "alice", ALICE_PASSWORD).await;
    let dave = login(env.addr, "dave", DAVE_PASSWORD).await;
    let vmid = create_container(env.addr, &alice, "alice1").await;

    for (method, path, body) in [
        (
            "GET",
            "/container",
            json!({ "id": vmid, "username": "dave" }),
        ),
        (
            "GET",
            "/utils/vnc",
            json!({ "id": vmid, "username": "dave" }),
        ),
        (
            "GET",
            "/utils/graphic",
            json!({ "id": vmid, "username": "dave" }),
        ),
        (
            "DELETE",
            "/container",
            json!({ "id": vmid, "username": "dave" }),
        ),
    ] {
        let (status, answer) = call(env.addr, method, path, Some(&dave), Some(body)).await;
        assert_eq!(status, 404, "{method} {path}: {answer}");
    }
    let (status, answer) = call(
        env.addr,
        "GET",
        "/container",
        Some(&dave),
        Some(json!({ "username": "alice" })),
    )
    .await;
    assert_eq!(status, 403, "{answer}");
    let (status, resources) = call(env.addr, "REPORT", "/cluster", Some(&dave), None).await;
    assert_eq!(status, 200, "{resources}");
    assert!(
        !resources.to_string().contains("alice1"),
        "dave's cluster view has no other user's guests: {resources}"
    );
    assert!(
        env.root.containers().get(vmid as u32).await.is_ok(),
        "still there"
    );

    // A container made directly in PVE (no ACL entry for anyone) is nobody's through the gateway.
    let template = a_template(env.addr, &alice).await;
    let spec = proxmox_api_core::api::ContainerSpec::builder()
        .hostname("direct")
        .template(template)
        .storage("local-lvm")
        .ssh_public_key(SSH_KEY)
        .build()
        .unwrap();
    let direct = env.root.containers().create(spec).send().await.unwrap();
    direct.task.wait().await.unwrap();
    for token in [&alice, &dave] {
        for (method, path) in [
            ("GET", "/container"),
            ("GET", "/utils/vnc"),
            ("DELETE", "/container"),
        ] {
            let (status, answer) = call(
                env.addr,
                method,
                path,
                Some(token),
                Some(json!({ "id": direct.vmid })),
            )
            .await;
            assert_eq!(status, 404, "{method} {path}: {answer}");
        }
    }

    // Alice herself can.
    let (status, answer) = call(
        env.addr,
        "GET",
        "/utils/vnc",
        Some(&alice),
        Some(json!({ "id": vmid })),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = call(
        env.addr,
        "DELETE",
        "/container",
        Some(&alice),
        Some(json!({ "id": vmid })),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_administrators_manage_users_and_only_the_gateways_own() {
    let env = start(Options::default()).await;
    let dave = login(env.addr, "dave", DAVE_PASSWORD).await;
    let admin = login(env.addr, "admin", ADMIN_PASSWORD).await;

    // A non-admin creates, changes and deletes nobody.
    for (method, body) in [
        (
            "POST",
            json!({ "username": "mallory", "password": "mallory-pass" }),
        ),
        (
            "PUT",
            json!({ "username": "alice", "password": "taken-over-1" }),
        ),
        (
            "PUT",
            json!({ "username": "admin", "password": "taken-over-1" }),
        ),
        ("DELETE", json!({ "username": "alice" })),
    ] {
        let (status, answer) = call(env.addr, method, "/user", Some(&dave), Some(body)).await;
        assert_eq!(status, 403, "{method}: {answer}");
    }
    let (status, answer) = call(
        env.addr,
        "GET",
        "/user",
        Some(&dave),
        Some(json!({ "username": "alice" })),
    )
    .await;
    assert_eq!(status, 403, "{answer}");
    let (status, answer) = call(env.addr, "GET", "/user", Some(&dave), None).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer,
        json!([{ "username": "dave", "userid": "dave@pve", "machines": [] }])
    );

    // An administrator changes no one outside the gateway's group, no administrator, not the
    // service account, and no user holding permissions outside /vms.
    env.sim
        .control()
        .grant("/storage", "alice@pve", "PVEDatastoreUser");
    let admin2 = env
        .root
        .users()
        .create("admin2", "admin2-pass-1")
        .send()
        .await
        .unwrap();
    env.root
        .request(
            proxmox_api_core::Method::Put,
            &format!("/access/users/{admin2}"),
            proxmox_api_core::Params::new()
                .with("groups", "gateway-admins")
                .with("append", true),
        )
        .await
        .unwrap();
    let (status, answer) = call(
        env.addr,
        "DELETE",
        "/user",
        Some(&admin),
        Some(json!({ "username": "admin" })),
    )
    .await;
    assert_eq!(
        status, 403,
        "an administrator deleting themselves: {answer}"
    );
    for target in ["outsider", "svc", "admin2", "alice"] {
        for (method, body) in [
            (
                "PUT",
                json!({ "username": target, "password": "taken-over-1" }),
            ),
            ("DELETE", json!({ "username": target })),
        ] {
            let (status, answer) = call(env.addr, method, "/user", Some(&admin), Some(body)).await;
            assert_eq!(status, 403, "{method} {target}: {answer}");
        }
    }
    let (status, answer) = call(
        env.addr,
        "DELETE",
        "/user",
        Some(&admin),
        Some(json!({ "username": "root@pam" })),
    )
    .await;
    assert_eq!(status, 400, "another realm: {answer}");
    let (status, answer) = call(
        env.addr,
        "DELETE",
        "/user",
        Some(&admin),
        Some(json!({ "username": "ghost" })),
    )
    .await;
    assert_eq!(status, 404, "missing user: {answer}");
    for (userid, password) in [
        ("outsider@pve", OUTSIDER_PASSWORD),
        ("admin@pve", ADMIN_PASSWORD),
        ("admin2@pve", "admin2-pass-1"),
        ("svc@pve", SVC_PASSWORD),
    ] {
        assert!(
            env.root.login_as(userid, password).await.is_ok(),
            "{userid} untouched"
        );
    }

    // What an administrator may do: create a user (in the group), reset and delete them.
    let (status, answer) = call(
        env.addr,
        "POST",
        "/user",
        Some(&admin),
        Some(json!({ "username": "carol", "password": "carol-pass-1" })),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = call(
        env.addr,
        "POST",
        "/user",
        Some(&admin),
        Some(json!({ "username": "carol", "password": "carol-pass-1" })),
    )
    .await;
    assert_eq!(status, 409, "{answer}");
    let (status, answer) = call(
        env.addr,
        "PUT",
        "/user",
        Some(&admin),
        Some(json!({ "username": "carol", "password": "carol-pass-2" })),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    login(env.addr, "carol", "carol-pass-2").await;
    let (status, answer) = call(
        env.addr,
        "DELETE",
        "/user",
        Some(&admin),
        Some(json!({ "username": "carol" })),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    // The service account still works: every later request succeeds.
    let (status, answer) = call(env.addr, "GET", "/user", Some(&admin), None).await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_change_their_own_password_with_the_current_one_and_a_non_root_service_resets() {
    let env = start(Options::default()).await;
    let alice = login(env.addr, "alice", ALICE_PASSWORD).await;
    let (status, answer) = call(
        env.addr,
        "PUT",
        "/user",
        Some(&alice),
        Some(json!({ "username": "alice", "password": "alice-pass-2" })),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["parameter"], "current_password");
    let (status, answer) = call(env.addr, "PUT", "/user", Some(&alice), Some(json!({ "username": "alice", "password": "alice-pass-2", "current_password": "wrong-pass-1" }))).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["parameter"], "current_password");
    let (status, answer) = call(env.addr, "PUT", "/user", Some(&alice), Some(json!({ "username": "alice", "password": "alice-pass-2", "current_password": ALICE_PASSWORD }))).await;
    assert_eq!(status, 200, "{answer}");
    assert!(env.root.login_as("alice@pve", "alice-pass-2").await.is_ok());

    let admin = login(env.addr, "admin", ADMIN_PASSWORD).await;
    let (status, answer) = call(
        env.addr,
        "PUT",
        "/user",
        Some(&admin),
        Some(json!({ "username": "dave", "password": "dave-pass-2" })),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert!(env.root.login_as("dave@pve", "dave-pass-2").await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_run_gateway_refuses_resets_with_a_clear_4xx_but_lets_users_change_their_own() {
    let env = start(Options {
        token_service: true,
        ..Options::default()
    })
    .await;
    let admin = login(env.addr, "admin", ADMIN_PASSWORD).await;
    let (status, answer) = call(
        env.addr,
        "PUT",
        "/user",
        Some(&admin),
        Some(json!({ "username": "dave", "password": "dave-pass-2" })),
    )
    .await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(answer["code"], "SERVICE_USES_API_TOKEN", "{answer}");
    assert!(
        answer["message"].as_str().unwrap().contains("API token"),
        "{answer}"
    );
    assert!(env.root.login_as("dave@pve", DAVE_PASSWORD).await.is_ok());

    let dave = login(env.addr, "dave", DAVE_PASSWORD).await;
    let (status, answer) = call(env.addr, "PUT", "/user", Some(&dave), Some(json!({ "username": "dave", "password": "dave-pass-2", "current_password": DAVE_PASSWORD }))).await;
    assert_eq!(status, 200, "{answer}");
}

/// Median wall time of `n` runs of `f`, on the system clock.
async fn median_ms<F, Fut>(n: usize, mut f: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let clock = SystemClock::new();
    let mut times = Vec::new();
    for _ in 0..n {
        let started: SystemTime = clock.now();
        f().await;
        times.push(
            clock
                .now()
                .duration_since(started)
                .unwrap_or_default()
                .as_secs_f64()
                * 1000.0,
        );
    }
    times.sort_by(f64::total_cmp);
    times[n / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_and_the_root_password_check_give_no_oracle() {
    // PVE delays every failed login; 150 ms here stands for its 3 s.
    let delay = Duration::from_millis(150);
    let env = start(Options {
        auth_failure_delay: delay,
        // Measure the login itself, not the limiter.
        max_failed_logins: (100, 100),
        ..Options::default()
    })
    .await;
    let addr = env.addr;

    // Unknown and existing users with a wrong password: same status, same body, same path.
    let (unknown_status, unknown) = login_attempt(addr, "nobody", "guess-pass-1").await;
    let (known_status, known) = login_attempt(addr, "dave", "guess-pass-1").await;
    assert_eq!((unknown_status, &unknown), (known_status, &known));
    assert_eq!(known_status, 401);
    let unknown_ms = median_ms(5, || async {
        login_attempt(addr, "nobody2", "guess-pass-1").await;
    })
    .await;
    let known_ms = median_ms(5, || async {
        login_attempt(addr, "alice", "guess-pass-1").await;
    })
    .await;
    println!("failed login, median of 5: unknown user {unknown_ms:.1} ms, existing user {known_ms:.1} ms");
    // Both pay PVE's failure delay: the unknown user is not answered early.
    assert!(
        unknown_ms >= 150.0 && known_ms >= 150.0,
        "{unknown_ms} {known_ms}"
    );
    assert!(
        (unknown_ms / known_ms) < 2.0 && (known_ms / unknown_ms) < 2.0,
        "{unknown_ms} {known_ms}"
    );

    // The 2016 oracle: a root password equal to the owner's login password answered at once,
    // a wrong one 3 s later. Unauthenticated, both are now the same 401 before anything is read.
    let body = |root: &str| json!({ "username": "alice", "template": "local:vztmpl/x.tar.zst", "hostname": "h1", "root_password": root });
    let (right_status, right) =
        call(addr, "POST", "/container", None, Some(body(ALICE_PASSWORD))).await;
    let (wrong_status, wrong) =
        call(addr, "POST", "/container", None, Some(body("not-her-pass"))).await;
    assert_eq!((right_status, &right), (wrong_status, &wrong));
    assert_eq!(right_status, 401);
    let right_ms = median_ms(5, || async {
        call(addr, "POST", "/container", None, Some(body(ALICE_PASSWORD))).await;
    })
    .await;
    let wrong_ms = median_ms(5, || async {
        call(addr, "POST", "/container", None, Some(body("not-her-pass"))).await;
    })
    .await;
    println!("unauthenticated root_password, median of 5: owner's password {right_ms:.3} ms, other {wrong_ms:.3} ms");
    // Neither reaches PVE (no failure delay on either).
    assert!(
        right_ms < 150.0 && wrong_ms < 150.0,
        "{right_ms} {wrong_ms}"
    );

    // Another user (dave) cannot ask about alice's password either: the owner of a root
    // password is always the caller.
    let dave = login(addr, "dave", DAVE_PASSWORD).await;
    let (status, answer) = call(
        addr,
        "POST",
        "/container",
        Some(&dave),
        Some(body(ALICE_PASSWORD)),
    )
    .await;
    assert_eq!(status, 403, "{answer}");
    // The owner is refused their own login password as root password; an admin creating for
    // her may not set one at all.
    let alice = login(addr, "alice", ALICE_PASSWORD).await;
    let template = a_template(addr, &alice).await;
    let mine = json!({ "template": template, "hostname": "h2", "storage": "local-lvm", "root_password": ALICE_PASSWORD });
    let (status, answer) = call(addr, "POST", "/container", Some(&alice), Some(mine)).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["parameter"], "root_password");
    assert!(!answer.to_string().contains(ALICE_PASSWORD));
    let admin = login(addr, "admin", ADMIN_PASSWORD).await;
    let for_alice = json!({ "username": "alice", "template": template, "hostname": "h3", "storage": "local-lvm", "root_password": "root-pass-99" });
    let (status, answer) = call(addr, "POST", "/container", Some(&admin), Some(for_alice)).await;
    assert_eq!(status, 400, "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_limited_per_user_and_per_address() {
    let env = start(Options {
        max_failed_logins: (3, 5),
        ..Options::default()
    })
    .await;
    let addr = env.addr;
    for _ in 0..3 {
        assert_eq!(login_attempt(addr, "alice", "guess-pass-1").await.0, 401);
    }
    // Even the right password is refused now: the limit is no oracle either.
    let (status, answer) = login_attempt(addr, "alice", ALICE_PASSWORD).await;
    assert_eq!(status, 429, "{answer}");
    // Another user from the same address still may, until the address is used up too (all
    // tests come from 127.0.0.1); unknown names count like real ones.
    assert_eq!(login_attempt(addr, "dave", "guess-pass-1").await.0, 401);
    assert_eq!(login_attempt(addr, "nobody", "guess-pass-1").await.0, 401);
    let (status, answer) = login_attempt(addr, "dave", DAVE_PASSWORD).await;
    assert_eq!(status, 429, "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_renew_and_users_outside_the_groups_cannot_log_in() {
    let env = start(Options::default()).await;
    let (status, answer) = login_attempt(env.addr, "outsider", OUTSIDER_PASSWORD).await;
    assert_eq!(status, 403, "{answer}");
    let (status, answer) = login_attempt(env.addr, "svc", SVC_PASSWORD).await;
    assert_eq!(status, 403, "{answer}");
    let (status, answer) = login_attempt(env.addr, "root@pam", env.sim.password()).await;
    assert_eq!(status, 400, "{answer}");

    let alice = login(env.addr, "alice", ALICE_PASSWORD).await;
    let (status, renewed) = call(env.addr, "POST", "/login/renew", Some(&alice), None).await;
    assert_eq!(status, 200, "{renewed}");
    let renewed = renewed["token"].as_str().unwrap().to_owned();
    let (status, answer) = call(env.addr, "GET", "/user", Some(&renewed), None).await;
    assert_eq!(status, 200, "{answer}");
    let text = answer.to_string();
    assert!(
        !text.contains("PVE:") && !text.contains("ticket"),
        "no PVE ticket: {text}"
    );
}
