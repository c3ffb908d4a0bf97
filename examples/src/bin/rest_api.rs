//! The 2016 REST service as a gateway over proxmox-api-core; see
//! [`proxmox_api_examples::rest_api`] for the security model and `examples/README.md` for the
//! routes and every setting.
//!
//! Every setting is a flag or an environment variable (the flag wins):
//! `--listen`/`GATEWAY_LISTEN` (default `127.0.0.1:3000`), `--plain-http`/`GATEWAY_PLAIN_HTTP=1`,
//! `--tls-cert`/`--tls-key` (`GATEWAY_TLS_CERT`/`GATEWAY_TLS_KEY`), `--session-key-file`
//! (`GATEWAY_SESSION_KEY_FILE`, hex), `--session-ttl-secs`, `--users-group`, `--admins-group`,
//! `--max-connections`, `--header-timeout-secs`, `--body-timeout-secs`. Proxmox VE: `PVE_URL`
//! with `PVE_USER`/`PVE_PASSWORD` (or `PVE_TOKEN_ID`/`PVE_TOKEN_SECRET`) and `PVE_FINGERPRINT`;
//! without `PVE_URL` the embedded simulator is started, and `GATEWAY_DEMO_ADMIN_PASSWORD` makes a
//! demo administrator `admin@pve` on it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use proxmox_api_core::{Client, Credentials, Error};
use proxmox_api_examples::rest_api::directory::{Directory, PveGroups};
use proxmox_api_examples::rest_api::server::serve;
use proxmox_api_examples::rest_api::session::SessionKey;
use proxmox_api_examples::rest_api::tls::GatewayTls;
use proxmox_api_examples::rest_api::{Gateway, GatewayConfig, UserClientFactory};
use proxmox_api_sim::Simulator;
use tokio::net::TcpListener;

type BoxError = Box<dyn std::error::Error>;

const FLAGS: &[&str] = &[
    "listen",
    "tls-cert",
    "tls-key",
    "session-key-file",
    "session-ttl-secs",
    "users-group",
    "admins-group",
    "max-connections",
    "header-timeout-secs",
    "body-timeout-secs",
];

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("rest_api failed: {e}");
        std::process::exit(1);
    }
}

/// `--name value` flags (and the switch `--plain-http`).
struct Settings {
    flags: HashMap<String, String>,
    plain_http: bool,
}

impl Settings {
    fn parse() -> Result<Self, String> {
        let mut flags = HashMap::new();
        let mut plain_http = false;
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let name = arg
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument '{arg}'"))?;
            if name == "plain-http" {
                plain_http = true;
            } else if FLAGS.contains(&name) {
                let value = args
                    .next()
                    .ok_or_else(|| format!("--{name} needs a value"))?;
                flags.insert(name.to_owned(), value);
            } else {
                return Err(format!("unknown flag --{name}"));
            }
        }
        let plain_http = plain_http || env("GATEWAY_PLAIN_HTTP").is_some_and(|v| v == "1");
        Ok(Settings { flags, plain_http })
    }

    /// The flag, else `GATEWAY_<NAME>` from the environment.
    fn get(&self, name: &str) -> Option<String> {
        self.flags.get(name).cloned().or_else(|| {
            env(&format!(
                "GATEWAY_{}",
                name.to_ascii_uppercase().replace('-', "_")
            ))
        })
    }

    fn secs(&self, name: &str, default: Duration) -> Result<Duration, String> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map(Duration::from_secs)
                .map_err(|_| format!("--{name}: '{v}' is not a number of seconds")),
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

async fn run() -> Result<(), BoxError> {
    let settings = Settings::parse()?;
    let mut config = GatewayConfig::default();
    if let Some(group) = settings.get("users-group") {
        config.users_group = group;
    }
    if let Some(group) = settings.get("admins-group") {
        config.admins_group = group;
    }
    config.session_ttl = settings.secs("session-ttl-secs", config.session_ttl)?;
    config.limits.header_timeout =
        settings.secs("header-timeout-secs", config.limits.header_timeout)?;
    config.limits.body_timeout = settings.secs("body-timeout-secs", config.limits.body_timeout)?;
    if let Some(max) = settings.get("max-connections") {
        config.limits.max_connections = max
            .parse()
            .map_err(|_| format!("--max-connections: '{max}' is not a number"))?;
    }
    let key = match settings.get("session-key-file") {
        Some(path) => SessionKey::from_hex(&std::fs::read_to_string(&path)?)
            .map_err(|e| format!("{path}: {e}"))?,
        None => SessionKey::generate()?,
    };
    let tls = if settings.plain_http {
        eprintln!(
            "WARNING: --plain-http: session tokens and passwords cross the network unencrypted"
        );
        None
    } else {
        Some(match (settings.get("tls-cert"), settings.get("tls-key")) {
            (Some(cert), Some(key)) => GatewayTls::from_pem_files(&cert, &key)?,
            (None, None) => GatewayTls::self_signed(&[])?,
            _ => return Err("give both --tls-cert and --tls-key, or neither".into()),
        })
    };

    // Keep the simulator alive while serving: dropping it shuts it down.
    let (pve, _simulator) = match env("PVE_URL") {
        Some(url) => (real_cluster(&url)?, None),
        None => {
            eprintln!("PVE_URL is not set: starting the embedded simulator (3 nodes)");
            let sim = Simulator::builder()
                .nodes(3)
                .task_duration_scale(0.05)
                .start()
                .await?;
            let pve = Pve {
                url: sim.url().to_owned(),
                fingerprint: Some(sim.fingerprint().to_owned()),
                credentials: Credentials::password(sim.user(), sim.password()),
            };
            (pve, Some(sim))
        }
    };
    let service = pve.client(pve.credentials.clone())?;
    let directory: Arc<dyn Directory> = Arc::new(PveGroups::new(service.clone()));
    let factory_pve = pve.clone();
    let user_client: UserClientFactory = Arc::new(move |userid: &str, password: &str| {
        factory_pve.client(Credentials::password(userid, password))
    });
    let gateway = Gateway::new(
        service.clone(),
        &pve.credentials,
        user_client,
        directory.clone(),
        key,
        config.clone(),
    )?
    .start()
    .await?;
    if _simulator.is_some() {
        if let Some(password) = env("GATEWAY_DEMO_ADMIN_PASSWORD") {
            let admin = service.users().create("admin", password).send().await?;
            directory.add_member(&config.admins_group, &admin).await?;
            eprintln!("demo administrator: admin (password from GATEWAY_DEMO_ADMIN_PASSWORD)");
        }
    }

    let listen = settings
        .get("listen")
        .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let listener = TcpListener::bind(&listen).await?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    // The first line on stdout says where to connect (tests and scripts read it).
    println!("listening on {scheme}://{}", listener.local_addr()?);
    if let Some(tls) = &tls {
        println!("certificate fingerprint (SHA-256) {}", tls.fingerprint);
    }
    eprintln!("Proxmox VE at {}", service.base_url());
    serve(listener, gateway, tls, shutdown_signal()).await;
    eprintln!("rest_api: stopped");
    Ok(())
}

/// Completes on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Where and how to reach Proxmox VE.
#[derive(Clone)]
struct Pve {
    url: String,
    fingerprint: Option<String>,
    credentials: Credentials,
}

impl Pve {
    fn client(&self, credentials: Credentials) -> Result<Client, Error> {
        let mut builder = Client::builder(&self.url).credentials(credentials);
        if let Some(fingerprint) = &self.fingerprint {
            builder = builder.pin_fingerprint(fingerprint)?;
        }
        builder.build()
    }
}

fn real_cluster(url: &str) -> Result<Pve, Error> {
    let credentials = match (env("PVE_TOKEN_ID"), env("PVE_TOKEN_SECRET")) {
        (Some(id), Some(secret)) => Credentials::api_token(id, secret),
        _ => Credentials::password(
            env("PVE_USER").ok_or_else(|| {
                Error::invalid_input("PVE_USER", "set it (e.g. gateway@pve), or PVE_TOKEN_ID")
            })?,
            env("PVE_PASSWORD").ok_or_else(|| {
                Error::invalid_input(
                    "PVE_PASSWORD",
                    "set it, or PVE_TOKEN_ID and PVE_TOKEN_SECRET",
                )
            })?,
        ),
    };
    Ok(Pve {
        url: url.to_owned(),
        fingerprint: env("PVE_FINGERPRINT"),
        credentials,
    })
}
