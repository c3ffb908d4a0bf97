//! Starts the `proxmox-api-sim` binary, reads its JSON line and talks to it over HTTPS pinned
//! to the printed fingerprint.

use crate::infra_support;

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

async fn spawn(args: &[&str]) -> (Child, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_proxmox-api-sim"))
        .args(args)
        .stdout(Stdio::piped())
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .expect("ready line within 60 s")
        .unwrap()
        .expect("one line");
    let ready: Value = serde_json::from_str(&line).expect("the line is JSON");
    (child, ready)
}

#[tokio::test]
async fn binary_prints_ready_line_and_serves_https_with_that_fingerprint() {
    let (mut child, ready) = spawn(&[
        "--nodes",
        "2",
        "--auth-delay-ms",
        "0",
        "--password",
        "hunter2-pw",
    ])
    .await;
    let url = ready["url"].as_str().unwrap();
    let fingerprint = ready["fingerprint"].as_str().unwrap();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert_eq!(fingerprint.len(), 95);
    assert_eq!(ready["user"], "root@pam");
    assert_eq!(ready["password"], "hunter2-pw");
    assert_eq!(ready["control_url"], format!("{url}/_sim"));

    let client = infra_support::pinned_client(fingerprint);
    let login = client
        .post(format!("{url}/api2/json/access/ticket"))
        .form(&[("username", "root@pam"), ("password", "hunter2-pw")])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let data: Value = login.json().await.unwrap();
    let ticket = data["data"]["ticket"].as_str().unwrap();
    assert!(ticket.starts_with("PVE:root@pam:"));
    let version: Value = client
        .get(format!("{url}/api2/json/version"))
        .header("Cookie", format!("PVEAuthCookie={ticket}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(version["data"]["release"], "9.1");

    // The control endpoint answers on the same listener.
    let r = client
        .post(format!("{url}/_sim/node-online"))
        .json(&serde_json::json!({"node": "pve2", "online": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client
        .get(format!("{url}/api2/json/nodes/pve2/status"))
        .header("Cookie", format!("PVEAuthCookie={ticket}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 595);

    // A client pinned to another fingerprint is refused.
    let wrong_pin = vec!["00"; 32].join(":");
    let wrong = infra_support::pinned_client(&wrong_pin);
    assert!(wrong
        .get(format!("{url}/api2/json/version"))
        .send()
        .await
        .is_err());
    child.kill().await.unwrap();
}

#[tokio::test]
async fn binary_plain_http_and_auth_delay() {
    let (mut child, ready) = spawn(&["--plain-http", "--auth-delay-ms", "300"]).await;
    let url = ready["url"].as_str().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(ready["fingerprint"].is_null());
    let password = ready["password"].as_str().unwrap();
    assert!(password.len() >= 16, "generated password");
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{url}/api2/json/access/ticket"))
        .form(&[("username", "root@pam"), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // A failed login waits (here 300 ms) before the 401, as PVE does.
    #[allow(clippy::disallowed_methods)] // measuring the server's real delay
    let started = std::time::Instant::now();
    let r = client
        .post(format!("{url}/api2/json/access/ticket"))
        .form(&[("username", "root@pam"), ("password", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(started.elapsed() >= Duration::from_millis(300));
    child.kill().await.unwrap();
}

#[tokio::test]
async fn binary_rejects_bad_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_proxmox-api-sim"))
        .args(["--nodes", "zero"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--nodes: 'zero' is not a positive integer")
    );
    assert!(out.stdout.is_empty());
}
