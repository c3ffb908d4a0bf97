//! The exact bytes PVE clients see: status lines with the message as reason, empty 401 bodies,
//! `{"data":null,"message":..}` errors, `Connection: close` after errors, keep-alive on success,
//! 501 for unknown paths and unmodelled methods, bodies on GET refused, JSON bodies accepted.

mod infra_support;

use infra_support::{raw, Session};
use serde_json::Value;

#[tokio::test]
async fn no_ticket_is_401_with_empty_body_and_reason() {
    let sim = infra_support::start().await;
    let (status, headers, body) = raw(
        &sim,
        "GET /api2/json/nodes HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    )
    .await;
    assert_eq!(status, "HTTP/1.1 401 No ticket");
    assert!(body.is_empty());
    assert!(headers.contains("connection: close"), "{headers}");
    assert!(headers.contains("content-length: 0"), "{headers}");
}

#[tokio::test]
async fn unknown_path_is_501_not_implemented_and_closes() {
    let sim = infra_support::start().await;
    let (status, headers, body) = raw(
        &sim,
        "GET /api2/json/nodes/pve1/bogus HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    )
    .await;
    assert_eq!(
        status,
        "HTTP/1.1 501 Method 'GET /nodes/pve1/bogus' not implemented"
    );
    assert!(headers.contains("connection: close"));
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"data": null, "message": "Method 'GET /nodes/pve1/bogus' not implemented\n"})
    );
}

#[tokio::test]
async fn parameter_errors_as_pve_sends_them() {
    let sim = infra_support::start().await;
    let root = Session::root(&sim).await;
    let ticket = match &root.auth {
        infra_support::Auth::Ticket { ticket, .. } => ticket.clone(),
        _ => unreachable!(),
    };
    let (status, headers, body) = raw(
        &sim,
        &format!(
            "GET /api2/json/cluster/nextid?vmid=abc HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: PVEAuthCookie={ticket}\r\n\r\n"
        ),
    )
    .await;
    assert_eq!(status, "HTTP/1.1 400 Parameter verification failed.");
    assert!(headers.contains("connection: close"));
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"data": null, "message": "Parameter verification failed.\n",
            "errors": {"vmid": "type check ('integer') failed - got 'abc'"}})
    );
}

#[tokio::test]
async fn success_keeps_the_connection_alive() {
    let sim = infra_support::start().await;
    // Two requests on one connection; the second asks to close so that reading ends.
    let login = format!(
        "username=root%40pam&password={}",
        percent_encoding::utf8_percent_encode(sim.password(), percent_encoding::NON_ALPHANUMERIC)
    );
    let request = format!(
        "POST /api2/json/access/ticket HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{login}\
         GET /api2/json/access/ticket HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        login.len()
    );
    let (status, headers, body) = raw(&sim, &request).await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(!headers.contains("connection: close"), "{headers}");
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains("\"ticket\":\"PVE:root@pam:"), "{text}");
    assert!(
        text.contains("HTTP/1.1 200 OK"),
        "second answer on the same connection: {text}"
    );
    assert!(text.ends_with("{\"data\":null}"), "{text}");
}

#[tokio::test]
async fn get_with_a_body_is_refused_and_json_bodies_work() {
    let sim = infra_support::start().await;
    let root = Session::root(&sim).await;
    let (ticket, csrf) = match &root.auth {
        infra_support::Auth::Ticket { ticket, csrf } => (ticket.clone(), csrf.clone()),
        _ => unreachable!(),
    };
    let (status, _, _) = raw(
        &sim,
        &format!("GET /api2/json/version HTTP/1.1\r\nHost: x\r\nCookie: PVEAuthCookie={ticket}\r\nContent-Length: 3\r\n\r\na=1"),
    )
    .await;
    assert!(status.starts_with("HTTP/1.1 501 "), "{status}");

    let json = r#"{"userid":"jay@pve","password":"jay-password","enable":true,"expire":0}"#;
    let (status, _, body) = raw(
        &sim,
        &format!(
            "POST /api2/json/access/users HTTP/1.1\r\nHost: x\r\nCookie: PVEAuthCookie={ticket}\r\nCSRFPreventionToken: {csrf}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
            json.len()
        ),
    )
    .await;
    assert_eq!(
        status,
        "HTTP/1.1 200 OK",
        "{}",
        String::from_utf8_lossy(&body)
    );
    Session::login(&sim, "jay@pve", "jay-password").await;
}

#[tokio::test]
async fn valid_but_unmodelled_method_is_501_saying_so() {
    let sim = infra_support::start().await;
    let root = Session::root(&sim).await;
    let r = root.get("/cluster/ha/groups").await;
    assert_eq!(r.status, 501);
    assert!(
        r.message().contains("not modelled by the simulator"),
        "{}",
        r.message()
    );
    assert_eq!(r.headers["connection"], "close");
    // Invalid first: validation runs before "not modelled".
    let r = root.get("/nodes/pve1/qemu?full=maybe").await;
    assert_eq!(r.status, 400);
}
