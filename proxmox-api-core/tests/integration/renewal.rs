//! Ticket lifecycle driven by a manual clock: renewal at the configured age, full login past
//! two hours, one re-login and retry on an unexpected 401, single flight under concurrency.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use mockito::Matcher;
use proxmox_api_core::{Credentials, ManualClock};

const MIN: u64 = 60;

/// root@pam's password logins (`pw`): the n-th gets the n-th of `tickets`, the last one from
/// then on; `expect` of them in all.
async fn password_logins(
    server: &mut mockito::ServerGuard,
    tickets: &[&str],
    expect: usize,
) -> mockito::Mock {
    let tickets: Vec<String> = tickets.iter().map(|t| (*t).to_owned()).collect();
    let n = AtomicUsize::new(0);
    server
        .mock("POST", "/api2/json/access/ticket")
        .match_body(Matcher::Exact("username=root%40pam&password=pw".to_owned()))
        .with_body_from_request(move |_| {
            let i = n.fetch_add(1, Ordering::SeqCst).min(tickets.len() - 1);
            login_reply("root@pam", &tickets[i], "C").into()
        })
        .expect(expect)
        .create_async()
        .await
}

#[tokio::test]
async fn renews_at_the_configured_age_and_logs_in_again_past_two_hours() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let t1 = ticket("root@pam", T0, "one");
    let t2 = ticket("root@pam", T0 + 31 * MIN, "two");
    let t3 = ticket("root@pam", T0 + 200 * MIN, "three");
    let password_login = password_logins(&mut server, &[&t1, &t3], 2).await;
    let renewal = server
        .mock("POST", "/api2/json/access/ticket")
        .match_body(Matcher::Exact(format!(
            "username=root%40pam&password={}",
            enc(&t1)
        )))
        .with_body(login_reply("root@pam", &t2, "C2"))
        .expect(1)
        .create_async()
        .await;
    let mut get_with = Vec::new();
    for (t, hits) in [(&t1, 2), (&t2, 1), (&t3, 1)] {
        get_with.push(
            server
                .mock("GET", "/api2/json/version")
                .match_header("cookie", format!("PVEAuthCookie={t}").as_str())
                .with_body(r#"{"data":{}}"#)
                .expect(hits)
                .create_async()
                .await,
        );
    }

    let client = builder(&server, &clock)
        .credentials(Credentials::password("root@pam", "pw"))
        .ticket_renew_after(Duration::from_secs(30 * MIN))
        .build()
        .unwrap();
    let get = || client.get::<serde_json::Value>("/version");
    get().await.unwrap(); // logs in: t1
    clock.advance(Duration::from_secs(29 * MIN));
    get().await.unwrap(); // still t1, no POST
    clock.advance(Duration::from_secs(2 * MIN));
    get().await.unwrap(); // 31 min old: renewed with t1 as password -> t2
                          // t2 was issued at T0+31min; at T0+200min it is past PVE's 2 h: full login with the password.
    clock.advance(Duration::from_secs(169 * MIN));
    get().await.unwrap(); // t3
    password_login.assert_async().await;
    renewal.assert_async().await;
    for mock in get_with {
        mock.assert_async().await;
    }
    assert!(
        clock.sleeps().is_empty(),
        "nothing slept: {:?}",
        clock.sleeps()
    );
}

#[tokio::test]
async fn refused_renewal_falls_back_to_a_password_login() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let t1 = ticket("root@pam", T0, "one");
    let t2 = ticket("root@pam", T0 + 90 * MIN, "two");
    let login = password_logins(&mut server, &[&t1, &t2], 2).await;
    let renewal = server
        .mock("POST", "/api2/json/access/ticket")
        .match_body(Matcher::Regex("password=PVE".to_owned()))
        .with_status(401)
        .expect(1)
        .create_async()
        .await;
    let get = server
        .mock("GET", "/api2/json/version")
        .with_body(r#"{"data":{}}"#)
        .expect(2)
        .create_async()
        .await;
    let client = builder(&server, &clock)
        .credentials(Credentials::password("root@pam", "pw"))
        .build()
        .unwrap();
    client.get::<serde_json::Value>("/version").await.unwrap();
    clock.advance(Duration::from_secs(90 * MIN));
    client.get::<serde_json::Value>("/version").await.unwrap();
    login.assert_async().await;
    renewal.assert_async().await;
    get.assert_async().await;
}

#[tokio::test]
async fn unexpected_401_relogs_and_retries_within_bounds() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let t1 = ticket("root@pam", T0, "one");
    let t2 = ticket("root@pam", T0 + 1, "two");
    let t3 = ticket("root@pam", T0 + 2, "three");
    let login = password_logins(&mut server, &[&t1, &t2, &t3], 4).await;
    // The server forgot t1 (e.g. key rotation): 401 with an empty body.
    let refused = server
        .mock("POST", "/api2/json/nodes/pve1/lxc/100/status/start")
        .match_header("cookie", format!("PVEAuthCookie={t1}").as_str())
        .with_status(401)
        .expect(1)
        .create_async()
        .await;
    let accepted = server
        .mock("POST", "/api2/json/nodes/pve1/lxc/100/status/start")
        .match_header("cookie", format!("PVEAuthCookie={t2}").as_str())
        .with_body(r#"{"data":"UPID:pve1:00001234:00005678:6955A000:vzstart:100:root@pam:"}"#)
        .expect(1)
        .create_async()
        .await;
    let always_401 = server
        .mock("GET", "/api2/json/cluster/status")
        .with_status(401)
        .expect(3)
        .create_async()
        .await;
    let client = builder(&server, &clock)
        .credentials(Credentials::password("root@pam", "pw"))
        .build()
        .unwrap();
    let upid: String = client
        .send(proxmox_api_core::ApiRequest::post([
            "nodes", "pve1", "lxc", "100", "status", "start",
        ]))
        .await
        .unwrap();
    assert!(upid.starts_with("UPID:pve1:"));
    // A server refusing every fresh ticket gets two new logins from this call, not a loop.
    let err = client
        .get::<serde_json::Value>("/cluster/status")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "AUTHENTICATION");
    login.assert_async().await;
    refused.assert_async().await;
    accepted.assert_async().await;
    always_401.assert_async().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_requests_across_a_renewal_share_one_post() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let t1 = ticket("root@pam", T0, "one");
    let t2 = ticket("root@pam", T0 + 61 * MIN, "two");
    let login = server
        .mock("POST", "/api2/json/access/ticket")
        .match_body(Matcher::Exact("username=root%40pam&password=pw".to_owned()))
        .with_body(login_reply("root@pam", &t1, "C1"))
        .expect(1)
        .create_async()
        .await;
    let renewal = server
        .mock("POST", "/api2/json/access/ticket")
        .match_body(Matcher::Exact(format!(
            "username=root%40pam&password={}",
            enc(&t1)
        )))
        .with_body(login_reply("root@pam", &t2, "C2"))
        .expect(1)
        .create_async()
        .await;
    let first = server
        .mock("GET", "/api2/json/nodes")
        .match_header("cookie", format!("PVEAuthCookie={t1}").as_str())
        .with_body(r#"{"data":[]}"#)
        .expect(1)
        .create_async()
        .await;
    let renewed = server
        .mock("GET", "/api2/json/nodes")
        .match_header("cookie", format!("PVEAuthCookie={t2}").as_str())
        .with_body(r#"{"data":[]}"#)
        .expect(200)
        .create_async()
        .await;
    let client = builder(&server, &clock)
        .credentials(Credentials::password("root@pam", "pw"))
        .build()
        .unwrap();
    client
        .get::<Vec<serde_json::Value>>("/nodes")
        .await
        .unwrap();
    clock.advance(Duration::from_secs(61 * MIN));
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            client.get::<Vec<serde_json::Value>>("/nodes").await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    login.assert_async().await;
    renewal.assert_async().await;
    first.assert_async().await;
    renewed.assert_async().await;
}
