//! TOTP enrolment through the real `/access/tfa` API (not only the control endpoint), the
//! login that then needs the second factor, realms (`/access/domains`) and `/access/roles/{id}`.

use crate::infra_support;

use std::time::{Duration, UNIX_EPOCH};

use infra_support::{Auth, Session};
use proxmox_api_sim::{SimClock, Simulator};
use serde_json::json;

async fn frozen_sim() -> proxmox_api_sim::RunningSimulator {
    Simulator::builder()
        .clock(SimClock::frozen_at(
            UNIX_EPOCH + Duration::from_secs(1_750_000_000),
        ))
        .start()
        .await
        .unwrap()
}

const SECRET_B32: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

#[tokio::test]
async fn a_user_enrols_totp_through_the_api_and_then_needs_it() {
    let sim = frozen_sim().await;
    sim.control().add_user("tina@pve", "tina-password");
    let tina = Session::login(&sim, "tina@pve", "tina-password").await;
    let uri = format!("otpauth://totp/pve:tina@pve?secret={SECRET_B32}&issuer=pve");
    let secret = proxmox_api_sim::access::totp::base32_decode(SECRET_B32).unwrap();
    let now = sim.control().now_unix();
    let code = proxmox_api_sim::access::totp::code_at(&secret, now);

    let r = tina
        .post(
            "/access/tfa/tina@pve",
            &[("type", "totp"), ("totp", &uri), ("value", &code)],
        )
        .await;
    assert_eq!(
        r.errors(),
        json!({"password": "password is required to modify user"})
    );
    let r = tina
        .post(
            "/access/tfa/tina@pve",
            &[
                ("type", "totp"),
                ("totp", &uri),
                ("value", "000000"),
                ("password", "tina-password"),
            ],
        )
        .await;
    assert_eq!(r.status, 500);
    assert_eq!(r.message(), "failed to verify TOTP challenge\n");
    let r = tina
        .post(
            "/access/tfa/tina@pve",
            &[
                ("type", "totp"),
                ("totp", &uri),
                ("value", &code),
                ("password", "tina-password"),
                ("description", "phone"),
            ],
        )
        .await;
    let id = r.data()["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("totp-"));
    let recovery = tina
        .post(
            "/access/tfa/tina@pve",
            &[("type", "recovery"), ("password", "tina-password")],
        )
        .await
        .data();
    assert_eq!(recovery["recovery"].as_array().unwrap().len(), 10);
    let list = tina.get("/access/tfa/tina@pve").await.data();
    assert_eq!(list[0]["type"], "totp");
    assert_eq!(list[0]["description"], "phone");
    assert_eq!(list[1]["id"], "recovery");

    // The next login needs the factor; a wrong code fails with PVE's login body.
    let anon = Session::anonymous(&sim);
    let first = anon
        .post(
            "/access/ticket",
            &[("username", "tina@pve"), ("password", "tina-password")],
        )
        .await
        .data();
    assert_eq!(first["NeedTFA"], 1);
    let challenge = first["ticket"].as_str().unwrap().to_owned();
    let r = anon
        .post(
            "/access/ticket",
            &[
                ("username", "tina@pve"),
                ("tfa-challenge", &challenge),
                ("password", "totp:000000"),
            ],
        )
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json(),
        json!({"data": null, "message": "authentication failure\n"})
    );
    let r = anon
        .post(
            "/access/ticket",
            &[
                ("username", "tina@pve"),
                ("tfa-challenge", &challenge),
                ("password", &format!("totp:{code}")),
            ],
        )
        .await;
    assert!(r.data()["ticket"]
        .as_str()
        .unwrap()
        .starts_with("PVE:tina@pve:"));

    // Disabled, then deleted: a password is enough again.
    let r = tina
        .put(
            &format!("/access/tfa/tina@pve/{id}"),
            &[("enable", "0"), ("password", "tina-password")],
        )
        .await;
    assert_eq!(r.status, 200);
    let again = Session::login(&sim, "tina@pve", "tina-password").await;
    assert!(matches!(again.auth, Auth::Ticket { .. }));
    let r = tina
        .send(
            reqwest::Method::DELETE,
            &format!("/access/tfa/tina@pve/{id}"),
            &[("password", "tina-password")],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(tina.get("/access/tfa/tina@pve").await.data(), json!([]));
}

#[tokio::test]
async fn realms_and_roles() {
    let sim = frozen_sim().await;
    let anon = Session::anonymous(&sim);
    let realms = anon.get("/access/domains").await.data();
    assert_eq!(
        realms,
        json!([
            {"realm": "pam", "type": "pam", "comment": "Linux PAM standard authentication"},
            {"realm": "pve", "type": "pve", "comment": "Proxmox VE authentication server"},
        ]),
        "world-readable, for the login box"
    );
    let root = Session::root(&sim).await;
    assert_eq!(
        root.put("/access/domains/pve", &[("default", "1")])
            .await
            .status,
        200
    );
    let pve = root.get("/access/domains/pve").await.data();
    assert_eq!(pve["default"], 1);
    assert_eq!(pve["type"], "pve");
    assert!(pve["digest"].is_string());
    let r = root.get("/access/domains/ldap").await;
    assert_eq!(r.status, 500);
    assert_eq!(r.message(), "domain 'ldap' does not exist\n");

    let role = root.get("/access/roles/PVEAuditor").await.data();
    assert_eq!(role["Sys.Audit"], 1);
    assert!(role.get("VM.Allocate").is_none());
    let r = root.get("/access/roles/Nope").await;
    assert_eq!(r.status, 500);
    assert_eq!(r.message(), "role 'Nope' does not exist\n");
}
