//! The REST service in-process against the in-process simulator: users, a container's life and
//! the destroy log, over real HTTP.

use std::net::SocketAddr;

use proxmox_api_core::{Client, Credentials};
use proxmox_api_examples::rest_api::serve;
use proxmox_api_sim::Simulator;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One HTTP/1.1 request with an optional JSON body; returns the status and the raw body text.
async fn call(addr: SocketAddr, method: &str, path: &str, body: Option<Value>) -> (u16, String) {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let raw = String::from_utf8(raw).expect("utf-8 answer");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a full HTTP answer");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    (status, body.to_owned())
}

async fn call_json(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (status, text) = call(addr, method, path, body).await;
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, value)
}

async fn start() -> (SocketAddr, proxmox_api_sim::RunningSimulator) {
    let sim = Simulator::builder()
        .nodes(3)
        .task_duration_scale(0.01)
        .start()
        .await
        .expect("simulator starts");
    let client = Client::builder(sim.url())
        .credentials(Credentials::password(sim.user(), sim.password()))
        .pin_fingerprint(sim.fingerprint())
        .expect("fingerprint")
        .build()
        .expect("client");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(serve(listener, client));
    (addr, sim)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_container_and_destroy_log_round_trip() {
    let (addr, _sim) = start().await;
    let login_password = "alice-login-pass-1";

    let (status, created) = call_json(
        addr,
        "POST",
        "/user",
        Some(json!({ "username": "alice", "password": login_password })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["userid"], "alice@pve");

    let (status, text) = call(addr, "GET", "/user", None).await;
    assert_eq!(status, 200, "{text}");
    assert!(!text.contains("password"), "no password field: {text}");
    assert!(!text.contains(login_password), "{text}");
    let users: Value = serde_json::from_str(&text).expect("json");
    let alice = users
        .as_array()
        .expect("a list")
        .iter()
        .find(|u| u["username"] == "alice")
        .unwrap_or_else(|| panic!("alice is listed: {users}"));
    assert_eq!(alice["machines"], json!([]));

    let (status, nodes) = call_json(addr, "REPORT", "/node", None).await;
    assert_eq!(status, 200, "{nodes}");
    let nodes = nodes.as_object().expect("by node");
    assert_eq!(nodes.len(), 3, "{nodes:?}");
    assert!(nodes.values().all(|n| n.get("data").is_some()), "{nodes:?}");

    let (status, templates) = call_json(addr, "GET", "/template", None).await;
    assert_eq!(status, 200, "{templates}");
    let template = templates
        .as_object()
        .expect("by node")
        .values()
        .filter_map(|n| n["data"].as_array())
        .flatten()
        .find_map(|t| t["volid"].as_str())
        .unwrap_or_else(|| panic!("some template: {templates}"))
        .to_owned();

    // The owner's login password is refused as root password, and no root access at all too.
    let spec = |root: Option<&str>| {
        let mut body = json!({
            "username": "alice", "template": template, "hostname": "web1",
            "storage": "local-lvm", "cpu": 1, "memory": 512, "disk": 4,
        });
        if let Some(root) = root {
            body["root_password"] = json!(root);
        }
        body
    };
    let (status, refused) =
        call_json(addr, "POST", "/container", Some(spec(Some(login_password)))).await;
    assert_eq!(status, 400, "{refused}");
    assert!(!refused.to_string().contains(login_password), "{refused}");
    let (status, refused) = call_json(addr, "POST", "/container", Some(spec(None))).await;
    assert_eq!(status, 400, "{refused}");

    let root_password = "a-different-root-pw";
    let (status, container) =
        call_json(addr, "POST", "/container", Some(spec(Some(root_password)))).await;
    assert_eq!(status, 201, "{container}");
    let vmid = container["id"].as_u64().expect("an id");
    assert!(
        !container.to_string().contains(root_password),
        "{container}"
    );

    let (status, alice) = call_json(addr, "GET", "/user?username=alice", None).await;
    assert_eq!(status, 200, "{alice}");
    assert_eq!(alice["machines"], json!([vmid]));
    assert!(alice.get("password").is_none());

    let (status, vnc) = call_json(addr, "GET", &format!("/vnc?id={vmid}"), None).await;
    assert_eq!(status, 200, "{vnc}");
    assert!(
        vnc["url"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("vmid={vmid}")),
        "{vnc}"
    );

    let (status, deleted) =
        call_json(addr, "DELETE", "/container", Some(json!({ "id": vmid }))).await;
    assert_eq!(status, 200, "{deleted}");

    let (status, log) = call_json(addr, "GET", "/destroyed", None).await;
    assert_eq!(status, 200, "{log}");
    assert!(
        log.as_array()
            .expect("a list")
            .iter()
            .any(|r| r["destroy"] == json!(vmid) && r["succeeded"] == json!(true)),
        "{log}"
    );

    let (status, alice) = call_json(addr, "GET", "/user?username=alice", None).await;
    assert_eq!(status, 200, "{alice}");
    assert_eq!(alice["machines"], json!([]), "the ACL entry went with it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_carry_status_and_core_code() {
    let (addr, _sim) = start().await;

    let (status, error) = call_json(
        addr,
        "POST",
        "/user",
        Some(json!({ "username": "bob", "password": "short" })),
    )
    .await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["code"], "INVALID_INPUT");

    let (status, error) = call_json(addr, "DELETE", "/user", Some(json!({}))).await;
    assert_eq!(status, 400, "{error}");

    let (status, error) = call_json(addr, "GET", "/container?id=4242", None).await;
    assert_eq!(status, 404, "{error}");
    assert_eq!(error["code"], "NOT_FOUND");

    let (status, error) = call_json(addr, "GET", "/nowhere", None).await;
    assert_eq!(status, 404, "{error}");

    let (status, next) = call_json(addr, "GET", "/nextid", None).await;
    assert_eq!(status, 200, "{next}");
    assert!(next["data"].as_u64().is_some_and(|id| id >= 100), "{next}");

    let (status, resources) = call_json(addr, "GET", "/resources", None).await;
    assert_eq!(status, 200, "{resources}");
    let kinds: Vec<&str> = resources["data"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|r| r["type"].as_str())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "node").count(),
        3,
        "{kinds:?}"
    );
}
