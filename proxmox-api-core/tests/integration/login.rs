//! The exact login request, TFA with and without a provider, `login_as`.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use common::*;
use mockito::Matcher;
use proxmox_api_core::{Credentials, Error, ManualClock, TfaFactor, TfaProvider, TfaResponse};

#[tokio::test]
async fn login_sends_exact_form_body_then_uses_the_cookie() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let t1 = ticket("root@pam", T0, "sig1");
    let login = server
        .mock("POST", "/api2/json/access/ticket")
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_header("cookie", Matcher::Missing)
        .match_body(Matcher::Exact(
            "username=root%40pam&password=p%40ss%20w%26rd%3D".to_owned(),
        ))
        .with_status(200)
        .with_body(login_reply("root@pam", &t1, "CSRF1"))
        .expect(1)
        .create_async()
        .await;
    let version = server
        .mock("GET", "/api2/json/version")
        .match_header("cookie", format!("PVEAuthCookie={t1}").as_str())
        .with_body(r#"{"data":{"version":"9.1.1","release":"9.1","repoid":"0123456789abcdef"}}"#)
        .expect(2)
        .create_async()
        .await;
    let client = builder(&server, &clock)
        .credentials(Credentials::password("root@pam", "p@ss w&rd="))
        .build()
        .unwrap();
    let v: serde_json::Value = client.get("/version").await.unwrap();
    assert_eq!(v["release"], "9.1");
    let _: serde_json::Value = client.get("/version").await.unwrap();
    login.assert_async().await;
    version.assert_async().await;
}

#[tokio::test]
async fn wrong_password_is_an_authentication_error_with_pves_reason() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let login = server
        .mock("POST", "/api2/json/access/ticket")
        .with_status(401)
        .with_body(r#"{"data":null,"message":"authentication failure\n"}"#)
        .expect(1)
        .create_async()
        .await;
    let client = builder(&server, &clock)
        .credentials(Credentials::password("root@pam", "wrong"))
        .build()
        .unwrap();
    let err = client
        .get::<serde_json::Value>("/version")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Authentication { reason } if reason == "authentication failure"),
        "{err:?}"
    );
    // A failed login is not retried: PVE delays each failure by 3 s and may lock the account.
    login.assert_async().await;
}

struct FixedCode {
    calls: AtomicUsize,
    seen: std::sync::Mutex<Vec<TfaFactor>>,
}

#[async_trait]
impl TfaProvider for FixedCode {
    async fn second_factor(
        &self,
        userid: &str,
        factors: &[TfaFactor],
    ) -> Result<TfaResponse, Error> {
        assert_eq!(userid, "alice@pve");
        self.calls.fetch_add(1, Ordering::SeqCst);
        *self.seen.lock().unwrap() = factors.to_vec();
        Ok(TfaResponse::totp("123456"))
    }
}

fn tfa_ticket() -> String {
    format!(r#"PVE:!tfa!{{"totp"%3Atrue,"recovery"%3A"available"}}:{T0:08X}::tfasig"#)
}

#[tokio::test]
async fn tfa_with_a_provider_posts_the_challenge_and_code() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let challenge = tfa_ticket();
    let full = ticket("alice@pve", T0, "full");
    let first = server
        .mock("POST", "/api2/json/access/ticket")
        .match_body(Matcher::Exact("username=alice%40pve&password=pw12345".to_owned()))
        .with_body(
            serde_json::json!({"data": {"username": "alice@pve", "ticket": challenge, "NeedTFA": 1, "CSRFPreventionToken": "x"}})
                .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let second = server
        .mock("POST", "/api2/json/access/ticket")
        .match_body(Matcher::Exact(format!(
            "username=alice%40pve&tfa-challenge={}&password=totp%3A123456",
            enc(&challenge)
        )))
        .with_body(login_reply("alice@pve", &full, "CSRF"))
        .expect(1)
        .create_async()
        .await;
    let nodes = server
        .mock("GET", "/api2/json/nodes")
        .match_header("cookie", format!("PVEAuthCookie={full}").as_str())
        .with_body(r#"{"data":[]}"#)
        .expect(1)
        .create_async()
        .await;
    let provider = Arc::new(FixedCode {
        calls: AtomicUsize::new(0),
        seen: Default::default(),
    });
    let client = builder(&server, &clock)
        .credentials(Credentials::password("alice@pve", "pw12345"))
        .tfa_provider(provider.clone())
        .build()
        .unwrap();
    let list: Vec<serde_json::Value> = client.get("/nodes").await.unwrap();
    assert!(list.is_empty());
    assert_eq!(provider.calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        *provider.seen.lock().unwrap(),
        vec![TfaFactor::Recovery, TfaFactor::Totp]
    );
    first.assert_async().await;
    second.assert_async().await;
    nodes.assert_async().await;
}

#[tokio::test]
async fn tfa_without_a_provider_is_tfa_required_naming_the_factors() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let first = server
        .mock("POST", "/api2/json/access/ticket")
        .with_body(
            serde_json::json!({"data": {"username": "alice@pve", "ticket": tfa_ticket(), "NeedTFA": 1}})
                .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let client = builder(&server, &clock)
        .credentials(Credentials::password("alice@pve", "pw12345"))
        .build()
        .unwrap();
    let err = client.get::<serde_json::Value>("/nodes").await.unwrap_err();
    match &err {
        Error::TfaRequired { factors } => {
            assert_eq!(factors, &vec![TfaFactor::Recovery, TfaFactor::Totp])
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.code(), "TFA_REQUIRED");
    assert!(err.to_string().contains("totp"));
    first.assert_async().await;
}

#[tokio::test]
async fn login_as_returns_another_users_ticket_without_touching_the_session() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let root_ticket = ticket("root@pam", T0, "root");
    let bob_ticket = ticket("bob@pve", T0 + 5, "bob");
    let root_login = server
        .mock("POST", "/api2/json/access/ticket")
        .match_body(Matcher::Exact(
            "username=root%40pam&password=rootpw".to_owned(),
        ))
        .with_body(login_reply("root@pam", &root_ticket, "C1"))
        .expect(1)
        .create_async()
        .await;
    let bob_login = server
        .mock("POST", "/api2/json/access/ticket")
        .match_body(Matcher::Exact(
            "username=bob%40pve&password=bobpw".to_owned(),
        ))
        .with_body(login_reply("bob@pve", &bob_ticket, "C2"))
        .expect(1)
        .create_async()
        .await;
    let get = server
        .mock("GET", "/api2/json/version")
        .match_header("cookie", format!("PVEAuthCookie={root_ticket}").as_str())
        .with_body(r#"{"data":{}}"#)
        .expect(2)
        .create_async()
        .await;
    let client = builder(&server, &clock)
        .credentials(Credentials::password("root@pam", "rootpw"))
        .build()
        .unwrap();
    let _: serde_json::Value = client.get("/version").await.unwrap();
    let bob = client.login_as("bob@pve", "bobpw").await.unwrap();
    assert_eq!(bob.userid, "bob@pve");
    assert_eq!(
        secrecy::ExposeSecret::expose_secret(&bob.ticket),
        bob_ticket
    );
    // Received at T0 on the client's clock; the server's stamp (T0 + 5) does not count.
    assert_eq!(
        bob.issued_at,
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(T0)
    );
    let _: serde_json::Value = client.get("/version").await.unwrap();
    root_login.assert_async().await;
    bob_login.assert_async().await;
    get.assert_async().await;
    let err = client.login_as("bob", "x").await.unwrap_err();
    assert!(err.to_string().contains("did you mean"), "{err}");
}
