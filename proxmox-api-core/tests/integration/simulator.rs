//! The client against the independent simulator over real TLS: two implementations of PVE's
//! protocol checked against each other (login, pinning, unexpected 401, retries, TFA, errors).

use std::sync::Arc;

use async_trait::async_trait;
use proxmox_api_core::{
    ApiRequest, Client, Credentials, Error, RetryPolicy, TfaFactor, TfaProvider, TfaResponse,
};
use proxmox_api_sim::{RunningSimulator, SimControl, Simulator};

async fn sim() -> RunningSimulator {
    Simulator::builder()
        .nodes(2)
        .start()
        .await
        .expect("simulator starts")
}

fn client(sim: &RunningSimulator, credentials: Credentials) -> Client {
    Client::builder(sim.url())
        .pin_fingerprint(sim.fingerprint())
        .unwrap()
        .credentials(credentials)
        .build()
        .unwrap()
}

#[tokio::test]
async fn login_version_and_relogin_after_the_server_forgets_tickets() {
    let sim = sim().await;
    let root = client(&sim, Credentials::password(sim.user(), sim.password()));
    let version = root.version().await.unwrap();
    assert!(version.major().is_some(), "{version:?}");
    let nodes: Vec<serde_json::Value> = root.get("/nodes").await.unwrap();
    assert!(!nodes.is_empty());
    let count = nodes.len();
    // Every ticket stops working: the next call gets a 401, logs in again and succeeds.
    sim.control().expire_tickets();
    let nodes: Vec<serde_json::Value> = root.get("/nodes").await.unwrap();
    assert_eq!(nodes.len(), count);
}

#[tokio::test]
async fn transient_failures_retry_gets_only() {
    let sim = sim().await;
    let root = client(&sim, Credentials::password(sim.user(), sim.password()));
    root.version().await.unwrap();
    sim.control()
        .fail_next("GET", "/nodes", 1, 503, "service unavailable");
    let nodes: Vec<serde_json::Value> = root.get("/nodes").await.unwrap();
    assert!(!nodes.is_empty());
    sim.control()
        .fail_next("POST", "/access/users", 1, 503, "service unavailable");
    let err = root
        .send::<()>(
            ApiRequest::post(["access", "users"])
                .param("userid", "carol@pve")
                .param("password", "carolpw123"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503), "{err:?}");
}

#[tokio::test]
async fn errors_from_the_simulator_map_to_kinds() {
    let sim = sim().await;
    let wrong = client(&sim, Credentials::password(sim.user(), "not-the-password"));
    assert_eq!(wrong.version().await.unwrap_err().code(), "AUTHENTICATION");

    let root = client(&sim, Credentials::password(sim.user(), sim.password()));
    let err = root
        .get::<serde_json::Value>("/nodes/pve1/lxc/999/config")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "NOT_FOUND", "{err:?}");
    let err = root
        .send::<serde_json::Value>(ApiRequest::post(["nodes", "pve1", "lxc"]).param("vmid", "abc"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_PARAMETERS", "{err:?}");
    assert!(err.parameter_errors().contains_key("vmid"), "{err:?}");

    sim.control().add_user("dave@pve", "davepw123");
    let dave = client(&sim, Credentials::password("dave@pve", "davepw123"));
    let err = dave
        .get::<serde_json::Value>("/nodes/pve1/status")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "PERMISSION_DENIED", "{err:?}");
}

struct SimTotp(SimControl);

#[async_trait]
impl TfaProvider for SimTotp {
    async fn second_factor(
        &self,
        userid: &str,
        factors: &[TfaFactor],
    ) -> Result<TfaResponse, Error> {
        assert!(factors.contains(&TfaFactor::Totp), "{factors:?}");
        Ok(TfaResponse::totp(
            self.0.totp_code(userid).expect("totp enabled"),
        ))
    }
}

#[tokio::test]
async fn tfa_login_against_the_simulator() {
    let sim = sim().await;
    sim.control().add_user("erin@pve", "erinpw123");
    sim.control().grant("/", "erin@pve", "PVEAuditor");
    sim.control().enable_totp("erin@pve").unwrap();
    let without = client(&sim, Credentials::password("erin@pve", "erinpw123"));
    assert_eq!(without.version().await.unwrap_err().code(), "TFA_REQUIRED");
    let with = Client::builder(sim.url())
        .pin_fingerprint(sim.fingerprint())
        .unwrap()
        .credentials(Credentials::password("erin@pve", "erinpw123"))
        .tfa_provider(Arc::new(SimTotp(sim.control())))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    with.version().await.unwrap();
}
