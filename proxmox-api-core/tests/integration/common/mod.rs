//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod fault_proxy;
pub mod raw_http;

use std::io::Write;
use std::sync::{Arc, Mutex};

use proxmox_api_core::{Client, ClientBuilder, Credentials, ManualClock};

/// 2026-01-01T00:00:00Z.
pub const T0: u64 = 1_767_225_600;

/// A ticket in PVE's format created at `unix` seconds.
pub fn ticket(user: &str, unix: u64, sig: &str) -> String {
    format!("PVE:{user}:{unix:08X}::{sig}")
}

/// The percent-encoded form of `text` as the client sends it (unreserved characters kept).
pub fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The JSON body of a successful login.
pub fn login_reply(user: &str, ticket: &str, csrf: &str) -> String {
    serde_json::json!({"data": {"username": user, "ticket": ticket, "CSRFPreventionToken": csrf, "cap": {}}})
        .to_string()
}

/// A builder for a mockito server (plain http) with a manual clock at [`T0`].
pub fn builder(server: &mockito::ServerGuard, clock: &ManualClock) -> ClientBuilder {
    Client::builder(server.url())
        .allow_insecure_http(true)
        .clock(Arc::new(clock.clone()))
}

/// [`builder`] with an API token, for tests about anything but authentication.
pub fn token_builder(server: &mockito::ServerGuard, clock: &ManualClock) -> ClientBuilder {
    builder(server, clock).credentials(Credentials::api_token(
        "root@pam!ci",
        "00000000-0000-0000-0000-000000000000",
    ))
}

/// Captures everything `tracing` writes while the guard lives (current-thread tests).
#[derive(Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        let sink = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
