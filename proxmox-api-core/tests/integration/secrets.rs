//! Canary secrets (password, ticket, CSRF token, token secret, TFA code) never appear in any
//! Debug output, error message or captured tracing output, across logins, renewals, failures
//! and token calls.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use common::*;
use mockito::Matcher;
use proxmox_api_core::{
    ApiRequest, Credentials, Error, ManualClock, TfaFactor, TfaProvider, TfaResponse,
};

const PASSWORD: &str = "canary-password-7f3a";
const TICKET_SIG: &str = "canarytICKETsig9b2c";
const CSRF: &str = "6955A000:canaryCSRF4d1e";
const TOKEN_SECRET: &str = "canary-token-secret-5e6f";
const TOTP: &str = "918273";

fn assert_clean(label: &str, text: &str) {
    for canary in [
        PASSWORD,
        TICKET_SIG,
        "canaryCSRF4d1e",
        TOKEN_SECRET,
        TOTP,
        "canary",
    ] {
        assert!(!text.contains(canary), "{label} leaks {canary:?}:\n{text}");
    }
}

struct Code;

#[async_trait]
impl TfaProvider for Code {
    async fn second_factor(&self, _: &str, _: &[TfaFactor]) -> Result<TfaResponse, Error> {
        Ok(TfaResponse::totp(TOTP))
    }
}

#[tokio::test]
async fn canaries_never_reach_debug_errors_or_logs() {
    let logs = LogCapture::default();
    let _guard = logs.install();
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let t1 = ticket("root@pam", T0, TICKET_SIG);
    let t2 = ticket("root@pam", T0 + 3700, TICKET_SIG);
    let _login = server
        .mock("POST", "/api2/json/access/ticket")
        .match_body(Matcher::Regex(format!("password={PASSWORD}")))
        .with_body(login_reply("root@pam", &t1, CSRF))
        .create_async()
        .await;
    let _renew = server
        .mock("POST", "/api2/json/access/ticket")
        .match_body(Matcher::Regex("password=PVE".to_owned()))
        .with_body(login_reply("root@pam", &t2, CSRF))
        .create_async()
        .await;
    let _ok = server
        .mock("GET", "/api2/json/nodes")
        .with_body(r#"{"data":[]}"#)
        .create_async()
        .await;
    let _fail = server
        .mock("POST", "/api2/json/nodes/pve1/lxc")
        .with_status(400)
        .with_body(r#"{"data":null,"errors":{"password":"value too short"}}"#)
        .create_async()
        .await;
    let _decode = server
        .mock("GET", "/api2/json/version")
        .with_body(format!(
            r#"{{"data":{{"version":7,"note":"{TICKET_SIG}"}}}}"#
        ))
        .create_async()
        .await;

    let builder = builder(&server, &clock)
        .credentials(Credentials::password("root@pam", PASSWORD))
        .tfa_provider(Arc::new(Code));
    assert_clean("builder Debug", &format!("{builder:?}"));
    let client = builder.build().unwrap();
    let _: Vec<serde_json::Value> = client.get("/nodes").await.unwrap();
    clock.advance(Duration::from_secs(3700));
    let _: Vec<serde_json::Value> = client.get("/nodes").await.unwrap();
    let err = client
        .send::<String>(
            ApiRequest::post(["nodes", "pve1", "lxc"])
                .param("password", secrecy::SecretString::from(PASSWORD.to_owned())),
        )
        .await
        .unwrap_err();
    assert_clean("error Display", &err.to_string());
    assert_clean("error Debug", &format!("{err:?}"));
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct V {
        version: String,
    }
    let err = client.get::<V>("/version").await.unwrap_err();
    assert_eq!(err.code(), "DECODE");
    assert_clean("decode error", &format!("{err} {err:?}"));
    assert_clean("client Debug", &format!("{client:?}"));

    let other = client.login_as("root@pam", PASSWORD).await.unwrap();
    assert_clean("SessionTicket Debug", &format!("{other:?}"));

    // A wrong login: the error must not echo the password.
    let mut bad_server = mockito::Server::new_async().await;
    let _refuse = bad_server
        .mock("POST", "/api2/json/access/ticket")
        .with_status(401)
        .with_body(r#"{"data":null,"message":"authentication failure\n"}"#)
        .create_async()
        .await;
    let bad = common::builder(&bad_server, &clock)
        .credentials(Credentials::password("root@pam", PASSWORD))
        .build()
        .unwrap();
    let err = bad.get::<serde_json::Value>("/nodes").await.unwrap_err();
    assert_clean("auth error", &format!("{err} {err:?}"));

    // Token calls.
    let token = common::builder(&server, &clock)
        .credentials(Credentials::api_token("root@pam!ci", TOKEN_SECRET))
        .build()
        .unwrap();
    let _: Vec<serde_json::Value> = token.get("/nodes").await.unwrap();
    assert_clean("token client Debug", &format!("{token:?}"));
    assert_clean(
        "TfaResponse Debug",
        &format!("{:?}", TfaResponse::totp(TOTP)),
    );

    let captured = logs.text();
    assert!(
        captured.contains("pve_request") && captured.contains("/access/ticket"),
        "the subscriber captured the request spans:\n{captured}"
    );
    assert!(captured.contains("status=200"), "{captured}");
    assert_clean("tracing output", &captured);
}
