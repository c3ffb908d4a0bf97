//! The gateway in-process over the in-process simulator, with the people the tests need, and a
//! raw HTTP/1.1 caller (the spec sends JSON bodies on GET and DELETE, which most clients refuse).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use proxmox_api_core::{Client, Credentials, Method, Params};
use proxmox_api_examples::rest_api::directory::{Directory, PveGroups};
use proxmox_api_examples::rest_api::server::serve;
use proxmox_api_examples::rest_api::session::SessionKey;
use proxmox_api_examples::rest_api::tls::GatewayTls;
use proxmox_api_examples::rest_api::{Gateway, GatewayConfig, ServeLimits, UserClientFactory};
use proxmox_api_sim::{RunningSimulator, Simulator};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const SVC_PASSWORD: &str = "service-pass-1";
pub const ADMIN_PASSWORD: &str = "admin-pass-1";
pub const ALICE_PASSWORD: &str = "alice-pass-1";
pub const DAVE_PASSWORD: &str = "dave-pass-1";
pub const OUTSIDER_PASSWORD: &str = "outsider-pass-1";
pub const SSH_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop";

/// How to set the gateway up.
pub struct Options {
    /// The service account logs in with an API token instead of a password.
    pub token_service: bool,
    /// PVE's delay before answering a failed login (PVE waits 3 s).
    pub auth_failure_delay: Duration,
    /// The simulator's task duration scale.
    pub task_scale: f64,
    /// Serving limits.
    pub limits: ServeLimits,
    /// Serve TLS with a self-signed certificate.
    pub tls: bool,
    /// Failed logins allowed per user and per address.
    pub max_failed_logins: (usize, usize),
}

impl Default for Options {
    fn default() -> Self {
        Options {
            token_service: false,
            auth_failure_delay: Duration::ZERO,
            task_scale: 0.01,
            limits: ServeLimits::default(),
            tls: false,
            max_failed_logins: (5, 20),
        }
    }
}

pub struct Env {
    pub addr: SocketAddr,
    pub sim: RunningSimulator,
    /// root@pam, for setting the scene and checking PVE's state behind the gateway's back.
    pub root: Client,
    pub tls_fingerprint: Option<String>,
    stop: Option<oneshot::Sender<()>>,
    pub served: JoinHandle<()>,
}

impl Env {
    /// Asks the gateway to shut down (as SIGTERM does in the binary).
    pub fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub fn client_for(sim: &RunningSimulator, credentials: Credentials) -> Client {
    Client::builder(sim.url())
        .credentials(credentials)
        .pin_fingerprint(sim.fingerprint())
        .expect("fingerprint")
        .build()
        .expect("client")
}

pub async fn start(options: Options) -> Env {
    let sim = Simulator::builder()
        .nodes(2)
        .task_duration_scale(options.task_scale)
        .auth_failure_delay(options.auth_failure_delay)
        .start()
        .await
        .expect("simulator starts");
    let root = client_for(&sim, Credentials::password(sim.user(), sim.password()));
    // The gateway's service account is NOT root: an ordinary PVE user with a role on `/`.
    let svc = root
        .users()
        .create("svc", SVC_PASSWORD)
        .send()
        .await
        .expect("svc");
    sim.control().grant("/", &svc, "Administrator");
    let credentials = if options.token_service {
        let token = root
            .request(
                Method::Post,
                &format!("/access/users/{svc}/token/gateway"),
                Params::new().with("privsep", false),
            )
            .await
            .expect("token");
        Credentials::api_token(
            format!("{svc}!gateway"),
            token["value"].as_str().expect("token value"),
        )
    } else {
        Credentials::password(svc.clone(), SVC_PASSWORD)
    };
    let service = client_for(&sim, credentials.clone());
    let directory = Arc::new(PveGroups::new(service.clone()));
    let (url, fingerprint) = (sim.url().to_owned(), sim.fingerprint().to_owned());
    let user_client: UserClientFactory = Arc::new(move |userid: &str, password: &str| {
        Client::builder(&url)
            .credentials(Credentials::password(userid, password))
            .pin_fingerprint(&fingerprint)?
            .build()
    });
    let config = GatewayConfig {
        limits: options.limits,
        max_failed_logins_per_user: options.max_failed_logins.0,
        max_failed_logins_per_address: options.max_failed_logins.1,
        ..GatewayConfig::default()
    };
    let gateway = Gateway::new(
        service,
        &credentials,
        user_client,
        directory.clone(),
        SessionKey::generate().expect("key"),
        config.clone(),
    )
    .expect("gateway")
    .start()
    .await
    .expect("gateway starts (groups made)");

    for (name, password, group) in [
        ("admin", ADMIN_PASSWORD, Some(&config.admins_group)),
        ("alice", ALICE_PASSWORD, Some(&config.users_group)),
        ("dave", DAVE_PASSWORD, Some(&config.users_group)),
        ("outsider", OUTSIDER_PASSWORD, None),
    ] {
        let userid = root
            .users()
            .create(name, password)
            .send()
            .await
            .expect("user");
        if let Some(group) = group {
            directory.add_member(group, &userid).await.expect("member");
        }
    }

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let tls = options
        .tls
        .then(|| GatewayTls::self_signed(&[]).expect("certificate"));
    let tls_fingerprint = tls.as_ref().map(|t| t.fingerprint.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(serve(listener, gateway, tls, async {
        let _ = stopped.await;
    }));
    Env {
        addr,
        sim,
        root,
        tls_fingerprint,
        stop: Some(stop),
        served,
    }
}

/// The raw bytes of one request with an optional bearer token and JSON body.
pub fn request_bytes(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Vec<u8> {
    let body = body.map(Value::to_string).unwrap_or_default();
    let auth = token
        .map(|t| format!("authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n{auth}\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Status and JSON body of an answer read to the end.
pub fn parse_answer(raw: &[u8]) -> (u16, Value) {
    let raw = String::from_utf8_lossy(raw);
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no full answer: {raw}"));
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
    let value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    (status, value)
}

/// One request on a fresh connection.
pub async fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(&request_bytes(addr, method, path, token, body.as_ref()))
        .await
        .expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    parse_answer(&raw)
}

/// `POST /login` with these credentials: the status and the answer, whatever they are.
pub async fn login_attempt(addr: SocketAddr, username: &str, password: &str) -> (u16, Value) {
    call(
        addr,
        "POST",
        "/login",
        None,
        Some(json!({ "username": username, "password": password })),
    )
    .await
}

/// Logs in and returns the session token.
pub async fn login(addr: SocketAddr, username: &str, password: &str) -> String {
    let (status, body) = login_attempt(addr, username, password).await;
    assert_eq!(status, 200, "login {username}: {body}");
    body["token"].as_str().expect("token").to_owned()
}

/// A template volume id, through the gateway.
pub async fn a_template(addr: SocketAddr, token: &str) -> String {
    let (status, templates) = call(addr, "GET", "/template", Some(token), None).await;
    assert_eq!(status, 200, "{templates}");
    templates
        .as_object()
        .expect("by node")
        .values()
        .filter_map(|n| n["data"].as_array())
        .flatten()
        .find_map(|t| t["volid"].as_str())
        .unwrap_or_else(|| panic!("some template: {templates}"))
        .to_owned()
}

/// Creates a container for the caller of `token` with an SSH key; returns its id.
pub async fn create_container(addr: SocketAddr, token: &str, hostname: &str) -> u64 {
    let template = a_template(addr, token).await;
    let (status, created) = call(
        addr,
        "POST",
        "/container",
        Some(token),
        Some(json!({
            "template": template, "hostname": hostname, "storage": "local-lvm",
            "cpu": 1, "memory": 512, "disk": 4, "ssh_public_key": SSH_KEY,
        })),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    created["id"].as_u64().expect("id")
}
