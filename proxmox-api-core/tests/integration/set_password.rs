//! `UsersApi::set_password`: the exact request with `confirmation-password`, a missing or short
//! confirmation refused before anything is sent, and PVE's refusal of API tokens made explicit.

use std::sync::Arc;

use mockito::{Matcher, Server};
use proxmox_api_core::request::{Method, Params};
use proxmox_api_core::{Client, Credentials, Error, ManualClock};
use proxmox_api_sim::Simulator;

fn token_client(url: String) -> Client {
    Client::builder(url)
        .credentials(Credentials::api_token("root@pam!ci", "token-secret"))
        .allow_insecure_http(true)
        .clock(Arc::new(ManualClock::at_unix(1_700_000_000)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn sends_the_confirmation_password_with_the_new_one() {
    let mut server = Server::new_async().await;
    let put = server
        .mock("PUT", "/api2/json/access/password")
        .match_body(Matcher::Exact(
            "userid=alice%40pve&password=new-pass-1&confirmation-password=old-pass".into(),
        ))
        .with_body(r#"{"data":null}"#)
        .expect(1)
        .create_async()
        .await;
    token_client(server.url())
        .users()
        .set_password("alice@pve", "new-pass-1", "old-pass")
        .await
        .unwrap();
    put.assert_async().await;
}

#[tokio::test]
async fn a_missing_or_short_confirmation_is_refused_before_sending() {
    let mut server = Server::new_async().await;
    let never = server
        .mock("PUT", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let users = token_client(server.url()).users();
    for confirmation in ["", "1234"] {
        let err = users
            .set_password("alice@pve", "new-pass-1", confirmation)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { parameter, .. } if parameter == "confirmation-password"),
            "{err:?}"
        );
        assert!(!err.was_sent());
        assert!(!format!("{err:?}").contains("1234"), "{err:?}");
    }
    never.assert_async().await;
}

#[tokio::test]
async fn a_token_client_is_told_that_pve_refuses_tokens_here() {
    let sim = Simulator::builder().nodes(1).start().await.unwrap();
    let root = Client::builder(sim.url())
        .credentials(Credentials::password(sim.user(), sim.password()))
        .pin_fingerprint(sim.fingerprint())
        .unwrap()
        .build()
        .unwrap();
    let created = root
        .request(
            Method::Post,
            "/access/users/root@pam/token/ci",
            Params::new().with("privsep", false),
        )
        .await
        .unwrap();
    let secret = created["value"].as_str().unwrap().to_owned();
    let alice = root
        .users()
        .create("alice", "alice-pass")
        .send()
        .await
        .unwrap();

    let token = Client::builder(sim.url())
        .credentials(Credentials::api_token("root@pam!ci", secret))
        .pin_fingerprint(sim.fingerprint())
        .unwrap()
        .build()
        .unwrap();
    // The token works elsewhere, so the refusal below is about this call.
    assert!(token.users().get(&alice).await.is_ok());
    let err = token
        .users()
        .set_password(&alice, "new-pass-1", sim.password())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "PERMISSION_DENIED", "{err}");
    let text = err.to_string();
    assert!(
        text.contains("API tokens") && text.contains("password"),
        "{text}"
    );

    // With a password login the same change goes through.
    root.users()
        .set_password(&alice, "new-pass-1", sim.password())
        .await
        .unwrap();
    assert!(root.login_as(&alice, "new-pass-1").await.is_ok());
}
