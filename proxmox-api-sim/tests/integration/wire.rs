//! The exact bytes PVE clients see: status lines with the message as reason, empty 401 bodies,
//! `{"data":null,"message":..}` errors, `Connection: close` after errors, keep-alive on success,
//! 501 for unknown paths and unmodelled methods, bodies on GET refused, JSON bodies accepted.

use crate::infra_support;

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

/// Reads one server (unmasked) websocket frame: (opcode, payload).
async fn read_frame<S: tokio::io::AsyncRead + Unpin>(s: &mut S) -> (u8, Vec<u8>) {
    use tokio::io::AsyncReadExt;
    let mut head = [0u8; 2];
    s.read_exact(&mut head).await.unwrap();
    assert_eq!(head[1] & 0x80, 0, "server frames are not masked");
    let len = (head[1] & 0x7f) as usize;
    assert!(len < 126);
    let mut payload = vec![0u8; len];
    s.read_exact(&mut payload).await.unwrap();
    (head[0] & 0x0f, payload)
}

/// Writes one masked client frame.
async fn write_frame<S: tokio::io::AsyncWrite + Unpin>(s: &mut S, opcode: u8, payload: &[u8]) {
    use tokio::io::AsyncWriteExt;
    let mask = [0x11u8, 0x22, 0x33, 0x44];
    let mut out = vec![0x80 | opcode, 0x80 | payload.len() as u8];
    out.extend_from_slice(&mask);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    s.write_all(&out).await.unwrap();
}

#[tokio::test]
async fn vnc_websocket_checks_the_ticket_and_speaks_rfb() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let sim = proxmox_api_sim::Simulator::builder()
        .guests(1)
        .start()
        .await
        .unwrap();
    let root = Session::root(&sim).await;
    let ticket = match &root.auth {
        infra_support::Auth::Ticket { ticket, .. } => ticket.clone(),
        _ => unreachable!(),
    };
    let vnc = root
        .post("/nodes/pve1/lxc/100/vncproxy", &[("websocket", "1")])
        .await
        .data();
    let port = vnc["port"].as_str().expect("port is a string").to_owned();
    let vncticket = vnc["ticket"].as_str().unwrap().to_owned();
    assert!(vncticket.starts_with("PVEVNC:"));
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let upgrade = |vncticket: &str| {
        format!(
            "GET /api2/json/nodes/pve1/lxc/100/vncwebsocket?port={port}&vncticket={} HTTP/1.1\r\n\
             Host: 127.0.0.1\r\nCookie: PVEAuthCookie={ticket}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Protocol: binary\r\n\r\n",
            enc(vncticket)
        )
    };

    // A forged VNC ticket is refused.
    let (status, _, body) = raw(&sim, &upgrade("PVEVNC:00000000::forged")).await;
    assert_eq!(
        status,
        "HTTP/1.1 401 permission denied - invalid vnc ticket"
    );
    assert!(body.is_empty());

    let tcp = tokio::net::TcpStream::connect(sim.addr()).await.unwrap();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(
        infra_support::pinned_tls(sim.fingerprint()),
    ));
    let mut s = connector
        .connect(
            rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap(),
            tcp,
        )
        .await
        .unwrap();
    s.write_all(upgrade(&vncticket).as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut b = [0u8; 1];
        s.read_exact(&mut b).await.unwrap();
        head.push(b[0]);
    }
    let head = String::from_utf8(head).unwrap().to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 101 "), "{head}");
    assert!(
        head.contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="),
        "{head}"
    );
    assert!(head.contains("sec-websocket-protocol: binary"), "{head}");

    assert_eq!(read_frame(&mut s).await, (2, b"RFB 003.008\n".to_vec()));
    write_frame(&mut s, 2, b"RFB 003.008\n").await;
    assert_eq!(
        read_frame(&mut s).await,
        (2, vec![1, 1]),
        "security types: None"
    );
    write_frame(&mut s, 2, &[1]).await;
    assert_eq!(
        read_frame(&mut s).await,
        (2, vec![0, 0, 0, 0]),
        "security result OK"
    );
    write_frame(&mut s, 8, &[]).await;
    assert_eq!(read_frame(&mut s).await.0, 8, "close answered");
}
