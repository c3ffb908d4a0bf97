//! Clock skew between client and server costs no extra logins: the ticket's age is measured on
//! the local clock from its receipt, not from the server's stamp inside it.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use mockito::Matcher;
use proxmox_api_core::{Credentials, ManualClock};

const MIN: u64 = 60;

/// Logs in against a server whose clock stands at [`T0`] while the client's stands at
/// `client_start`; makes a GET every 10 minutes for `minutes`, and returns (password logins,
/// renewals) seen by the server.
async fn logins_over(client_start: u64, minutes: u64) -> (usize, usize) {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(client_start);
    // Every ticket the server hands out is stamped with the server's time, whatever the client's
    // clock says.
    let server_ticket = ticket("root@pam", T0, "sig");
    let logins = Arc::new(AtomicUsize::new(0));
    let renewals = Arc::new(AtomicUsize::new(0));
    let counting = |counter: &Arc<AtomicUsize>| {
        let counter = counter.clone();
        let body = login_reply("root@pam", &server_ticket, "C");
        move |_: &mockito::Request| {
            counter.fetch_add(1, Ordering::SeqCst);
            body.clone().into()
        }
    };
    server
        .mock("POST", "/api2/json/access/ticket")
        .match_body(Matcher::Exact("username=root%40pam&password=pw".to_owned()))
        .with_body_from_request(counting(&logins))
        .create_async()
        .await;
    server
        .mock("POST", "/api2/json/access/ticket")
        .match_body(Matcher::Regex("password=PVE".to_owned()))
        .with_body_from_request(counting(&renewals))
        .create_async()
        .await;
    server
        .mock("GET", "/api2/json/version")
        .with_body(r#"{"data":{}}"#)
        .create_async()
        .await;
    let client = builder(&server, &clock)
        .credentials(Credentials::password("root@pam", "pw"))
        .build()
        .unwrap();
    let mut elapsed = 0;
    while elapsed <= minutes {
        client.get::<serde_json::Value>("/version").await.unwrap();
        clock.advance(Duration::from_secs(10 * MIN));
        elapsed += 10;
    }
    (
        logins.load(Ordering::SeqCst),
        renewals.load(Ordering::SeqCst),
    )
}

#[tokio::test]
async fn client_ahead_of_the_server_does_not_renew_on_every_request() {
    // 90 minutes ahead: the server's stamp looks 90 minutes old the moment it arrives.
    let (logins, renewals) = logins_over(T0 + 90 * MIN, 50).await;
    assert_eq!(
        (logins, renewals),
        (1, 0),
        "one login, no renewal within 50 minutes"
    );
    // 150 minutes ahead: the stamp looks past PVE's two hours.
    let (logins, renewals) = logins_over(T0 + 150 * MIN, 50).await;
    assert_eq!((logins, renewals), (1, 0));
}

#[tokio::test]
async fn client_behind_the_server_still_renews_in_time() {
    // 150 minutes behind: the stamp is in the client's future; without local timing the ticket
    // would look brand new until it had long expired on the server.
    let (logins, renewals) = logins_over(T0 - 150 * MIN, 100).await;
    assert_eq!(logins, 1);
    assert_eq!(renewals, 1, "renewed once after an hour of local time");
}
