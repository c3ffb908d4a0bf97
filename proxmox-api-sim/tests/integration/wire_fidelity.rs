//! Wire details real clients depend on (issue 11, point 1), each checked against what PVE's
//! pve-http-server / pve-access-control do: the failed login's body, the 401 reasons, content
//! types, volume ids with `/`, pveproxy's headers and gzip.

use crate::infra_support;

use std::io::Read;
use std::time::{Duration, UNIX_EPOCH};

use infra_support::{raw, Session};
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

#[tokio::test]
async fn failed_login_has_a_json_body_and_the_reason_in_the_status_line() {
    let sim = frozen_sim().await;
    let body = "username=root%40pam&password=wrong";
    let (status, headers, body) = raw(
        &sim,
        &format!(
            "POST /api2/json/access/ticket HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    assert_eq!(status, "HTTP/1.1 401 authentication failure");
    assert!(
        headers.contains("content-type: application/json;charset=utf-8"),
        "{headers}"
    );
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        v,
        json!({"data": null, "message": "authentication failure\n"})
    );
}

async fn status_line_of(sim: &proxmox_api_sim::RunningSimulator, head: &str) -> (String, Vec<u8>) {
    let (status, _, body) = raw(sim, &format!("{head}Host: x\r\nConnection: close\r\n\r\n")).await;
    (status, body)
}

#[tokio::test]
async fn authentication_failures_carry_pves_exact_reasons() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    let ticket = match &root.auth {
        infra_support::Auth::Ticket { ticket, .. } => ticket.clone(),
        _ => unreachable!(),
    };
    let get = |extra: String| format!("GET /api2/json/version HTTP/1.1\r\n{extra}");
    let (s, body) = status_line_of(&sim, &get(String::new())).await;
    assert_eq!(s, "HTTP/1.1 401 No ticket");
    assert!(body.is_empty());

    sim.control().advance_clock(Duration::from_secs(7201));
    let cookie = format!("Cookie: PVEAuthCookie={}\r\n", ticket.replace(':', "%3A"));
    let (s, body) = status_line_of(&sim, &get(cookie.clone())).await;
    assert_eq!(
        s, "HTTP/1.1 401 permission denied - invalid PVE ticket",
        "an expired ticket: the text the npm client re-logs in on"
    );
    assert!(body.is_empty());
    let (s, _) = status_line_of(
        &sim,
        &get("Cookie: PVEAuthCookie=PVE:root@pam:00000000::AAAA\r\n".into()),
    )
    .await;
    assert_eq!(s, "HTTP/1.1 401 permission denied - invalid PVE ticket");

    let root = Session::root(&sim).await;
    let (ticket, csrf) = match &root.auth {
        infra_support::Auth::Ticket { ticket, csrf } => (ticket.clone(), csrf.clone()),
        _ => unreachable!(),
    };
    let put = format!(
        "PUT /api2/json/access/users/root@pam HTTP/1.1\r\nCookie: PVEAuthCookie={}\r\nCSRFPreventionToken: 0000:bogus\r\nContent-Length: 0\r\n",
        ticket.replace(':', "%3A")
    );
    let (s, _) = status_line_of(&sim, &put).await;
    assert_eq!(s, "HTTP/1.1 401 Permission denied - invalid csrf token");
    let _ = csrf;

    let token = root
        .post("/access/users/root@pam/token/ci", &[("privsep", "0")])
        .await
        .data();
    let secret = token["value"].as_str().unwrap().to_owned();
    sim.control().add_user("off@pve", "off-password");
    sim.control().with_state(|s| {
        s.access.users.get_mut("off@pve").unwrap().enable = false;
    });
    let cases = [
        (format!("root@pam!ci={secret}"), None),
        (
            "root@pam!ci=00000000-0000-0000-0000-000000000000".to_owned(),
            Some("invalid token value!"),
        ),
        (
            format!("root@pam!nope={secret}"),
            Some("no such token 'nope' for user 'root@pam'"),
        ),
        (
            format!("ghost@pve!ci={secret}"),
            Some("no such user ('ghost@pve')"),
        ),
        (
            format!("off@pve!ci={secret}"),
            Some("user 'off@pve' is disabled"),
        ),
        (
            format!("root@pam={secret}"),
            Some(
                "'root@pam' is not a valid token ID - not able to split into user and token parts",
            ),
        ),
        ("root@pam!ci".to_owned(), Some("no tokenid specified")),
    ];
    for (value, expected) in cases {
        let (s, body) = status_line_of(
            &sim,
            &get(format!("Authorization: PVEAPIToken={value}\r\n")),
        )
        .await;
        match expected {
            None => assert_eq!(s, "HTTP/1.1 200 OK"),
            Some(text) => {
                assert_eq!(s, format!("HTTP/1.1 401 {text}"));
                assert!(body.is_empty());
            }
        }
    }
}

#[tokio::test]
async fn only_form_and_json_bodies_are_parameters() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    let (ticket, csrf) = match &root.auth {
        infra_support::Auth::Ticket { ticket, csrf } => (ticket.clone(), csrf.clone()),
        _ => unreachable!(),
    };
    let post = |ct: &str, body: &str| {
        format!(
            "POST /api2/json/access/users HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: PVEAuthCookie={}\r\nCSRFPreventionToken: {csrf}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\r\n{body}",
            ticket.replace(':', "%3A"),
            body.len()
        )
    };
    let (s, _, _) = raw(&sim, &post("text/plain", "userid=plain%40pve")).await;
    assert_eq!(
        s,
        "HTTP/1.1 506 upload 'Content-Type 'text/plain' not implemented"
    );
    let multipart =
        "--b\r\nContent-Disposition: form-data; name=\"userid\"\r\n\r\nmp@pve\r\n--b--\r\n";
    let (s, _, _) = raw(&sim, &post("multipart/form-data; boundary=b", multipart)).await;
    assert_eq!(
        s, "HTTP/1.1 506 upload 'Content-Type 'multipart/form-data; boundary=b' not implemented",
        "multipart only on the upload call"
    );
    assert_eq!(
        root.get("/access/users/plain@pve").await.status,
        500,
        "nothing created"
    );
    assert_eq!(
        root.get("/access/users/mp@pve").await.status,
        500,
        "nothing created"
    );

    let (s, _, _) = raw(&sim, &post("application/json", r#"{"userid":"json@pve"}"#)).await;
    assert_eq!(s, "HTTP/1.1 200 OK");
    let (s, _, _) = raw(
        &sim,
        &post(
            "application/x-www-form-urlencoded; charset=UTF-8",
            "userid=form%40pve",
        ),
    )
    .await;
    assert_eq!(s, "HTTP/1.1 200 OK");
    assert_eq!(root.get("/access/users/json@pve").await.status, 200);
    assert_eq!(root.get("/access/users/form@pve").await.status, 200);
}

#[tokio::test]
async fn volume_ids_with_a_slash_route_under_storage_content() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    let volid = format!(
        "local:vztmpl/{}",
        proxmox_api_sim::cluster::DEFAULT_TEMPLATE
    );
    let r = root
        .get(&format!("/nodes/pve1/storage/local/content/{volid}"))
        .await;
    let encoded = root
        .get(&format!(
            "/nodes/pve1/storage/local/content/{}",
            volid.replace('/', "%2F")
        ))
        .await;
    let not_routed =
        format!("Method 'GET /nodes/pve1/storage/local/content/{volid}' not implemented\n");
    assert!(
        !String::from_utf8_lossy(&r.body).contains(&not_routed),
        "unencoded: {:?}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(
        r.status, encoded.status,
        "encoded or not, the same method answers"
    );
    assert_eq!(r.body, encoded.body);
}

#[tokio::test]
async fn pveproxy_headers_and_gzip_when_asked() {
    let sim = frozen_sim().await;
    let root = Session::root(&sim).await;
    let r = root.get("/version").await;
    let h = &r.headers;
    assert_eq!(h["server"], "pve-api-daemon/3.0");
    assert_eq!(h["pragma"], "no-cache");
    assert_eq!(h["cache-control"], "max-age=0");
    assert_eq!(
        h["date"], "Sun, 15 Jun 2025 15:06:40 GMT",
        "from the simulator's clock"
    );
    assert_eq!(h["expires"], h["date"]);
    assert_eq!(h["connection"], "Keep-Alive");
    assert_eq!(h["content-type"], "application/json;charset=UTF-8");
    assert!(h.get("content-encoding").is_none());

    let ticket = match &root.auth {
        infra_support::Auth::Ticket { ticket, .. } => ticket.clone(),
        _ => unreachable!(),
    };
    let (status, headers, body) = raw(
        &sim,
        &format!(
            "GET /api2/json/cluster/resources HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, deflate\r\nConnection: close\r\nCookie: PVEAuthCookie={}\r\n\r\n",
            ticket.replace(':', "%3A")
        ),
    )
    .await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(headers.contains("content-encoding: gzip"), "{headers}");
    assert!(
        headers.contains(&format!("content-length: {}", body.len())),
        "{headers}"
    );
    let mut plain = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut plain)
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&plain).unwrap();
    assert!(v["data"].as_array().unwrap().len() > 3);
    // Small bodies are never compressed.
    let (_, headers, _) = raw(
        &sim,
        &format!(
            "GET /api2/json/version HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\nCookie: PVEAuthCookie={}\r\n\r\n",
            ticket.replace(':', "%3A")
        ),
    )
    .await;
    assert!(!headers.contains("content-encoding"), "{headers}");
}
