//! Typed, async client for the Proxmox VE API.
//!
//! ```no_run
//! # async fn run() -> Result<(), proxmox_api_core::Error> {
//! use proxmox_api_core::{Client, Credentials};
//! let client = Client::builder("pve.example.com")
//!     .credentials(Credentials::password("automation@pve", "correct horse battery staple"))
//!     .build()?;
//! let version: serde_json::Value = client.get("/version").await?;
//! println!("Proxmox VE {}", version["version"]);
//! # Ok(()) }
//! ```

// Published crate: every public item is documented (the workspace only warns).
#![deny(missing_docs)]

pub mod api;
pub mod auth;
pub mod client;
pub mod clock;
pub mod credentials;
pub mod endpoint;
pub mod envelope;
pub mod error;
mod gunzip;
pub mod loose;
pub mod models;
pub mod parallel;
pub mod request;
pub mod retry;
mod scrub;
pub mod tasks;
pub mod tls;
pub mod transport;
pub mod upid;

pub use auth::{OneTimeCode, SessionTicket, TfaProvider, TfaResponse};
pub use client::{CallOptions, Client, ClientBuilder, Credentials};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Error, RetrySafety, TfaFactor, TimeoutPhase};
pub use request::{ApiRequest, Method, ParamValue, Params};
pub use retry::RetryPolicy;
pub use tasks::{Task, TaskOutcome, TaskProgress, TaskWaiter, TasksApi};
pub use transport::{HttpRequest, HttpResponse, ReqwestTransport, Transport, TransportError};
pub use upid::{Upid, UpidParseError};
