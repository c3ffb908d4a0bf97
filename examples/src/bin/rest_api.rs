//! The original 2016 REST service served again over proxmox-api-core; see
//! [`proxmox_api_examples::rest_api`] for the routes and the deliberate differences.
//!
//! Listens on `REST_API_LISTEN` (default `127.0.0.1:3000`). With `PVE_URL` (+ `PVE_USER` /
//! `PVE_PASSWORD` or `PVE_TOKEN_ID` / `PVE_TOKEN_SECRET`, optional `PVE_FINGERPRINT`) it talks
//! to a real cluster; without, it starts the embedded simulator (3 nodes) in-process.

use proxmox_api_core::{Client, Credentials, Error};
use proxmox_api_examples::rest_api::serve;
use proxmox_api_sim::Simulator;
use tokio::net::TcpListener;

type BoxError = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("rest_api failed: {e}");
        std::process::exit(1);
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

async fn run() -> Result<(), BoxError> {
    let listen = env("REST_API_LISTEN").unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    // Keep the simulator alive while serving: dropping it shuts it down.
    let (client, _simulator) = match env("PVE_URL") {
        Some(url) => (connect_real(&url)?, None),
        None => {
            eprintln!("PVE_URL is not set: starting the embedded simulator (3 nodes)");
            let sim = Simulator::builder()
                .nodes(3)
                .task_duration_scale(0.05)
                .start()
                .await?;
            let client = Client::builder(sim.url())
                .credentials(Credentials::password(sim.user(), sim.password()))
                .pin_fingerprint(sim.fingerprint())?
                .build()?;
            (client, Some(sim))
        }
    };
    let listener = TcpListener::bind(&listen).await?;
    eprintln!(
        "serving the REST API on http://{} (Proxmox at {})",
        listener.local_addr()?,
        client.base_url()
    );
    serve(listener, client).await?;
    Ok(())
}

fn connect_real(url: &str) -> Result<Client, Error> {
    let credentials = match (env("PVE_TOKEN_ID"), env("PVE_TOKEN_SECRET")) {
        (Some(id), Some(secret)) => Credentials::api_token(id, secret),
        _ => Credentials::password(
            env("PVE_USER").unwrap_or_else(|| "root@pam".to_owned()),
            env("PVE_PASSWORD").ok_or_else(|| {
                Error::invalid_input(
                    "PVE_PASSWORD",
                    "set it, or PVE_TOKEN_ID and PVE_TOKEN_SECRET",
                )
            })?,
        ),
    };
    let mut builder = Client::builder(url).credentials(credentials);
    if let Some(fingerprint) = env("PVE_FINGERPRINT") {
        builder = builder.pin_fingerprint(&fingerprint)?;
    }
    builder.build()
}
