//! Errors as a caller sees them: the 400 map per parameter, PVE's status-line reason read from a
//! real socket, decode paths, timeouts, connect errors.

use crate::common;

use std::time::Duration;

use common::*;
use proxmox_api_core::{
    ApiRequest, CallOptions, Client, Credentials, Error, ManualClock, RetryPolicy, RetrySafety,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[tokio::test]
async fn parameter_errors_are_surfaced_per_parameter() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    // A 400 in the shape PVE >= 8.3 sends (see tests/fixtures/pve/PROVENANCE.md).
    let body = include_str!("../fixtures/pve/errors/param.400.modern.json");
    let _m = server
        .mock("POST", "/api2/json/nodes/pve1/lxc")
        .with_status(400)
        .with_body(body)
        .create_async()
        .await;
    let _m2 = server
        .mock("GET", "/api2/json/cluster/nextid")
        .match_query(mockito::Matcher::Any)
        .with_status(400)
        .with_body(r#"{"data":null,"errors":{"vmid":"value must have a minimum value of 100\n","x":"property is not defined in schema and the schema does not allow additional properties\n"}}"#)
        .create_async()
        .await;
    let client = builder(&server, &clock)
        .credentials(Credentials::api_token("root@pam!t", "s"))
        .build()
        .unwrap();
    let err = client
        .send::<String>(ApiRequest::post(["nodes", "pve1", "lxc"]).param("vmid", 200))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_PARAMETERS");
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.retry_safety(), RetrySafety::Never);
    assert_eq!(err.parameter_errors()["vmid"], "VM 200 already exists");
    let err = client
        .send::<String>(
            ApiRequest::get(["cluster", "nextid"])
                .param("vmid", 5)
                .param("x", 1),
        )
        .await
        .unwrap_err();
    let errors = err.parameter_errors();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors["vmid"], "value must have a minimum value of 100");
    assert!(err
        .to_string()
        .contains("vmid: value must have a minimum value of 100"));
}

/// A one-shot HTTP server answering every connection with `response` (raw bytes).
async fn raw_server(response: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                if !response.is_empty() {
                    let _ = socket.write_all(response.as_bytes()).await;
                    let _ = socket.shutdown().await;
                } else {
                    // Never answer; hold the connection open until the client gives up.
                    let _ = socket.read(&mut buf).await;
                }
            });
        }
    });
    format!("http://{addr}")
}

fn raw_client(url: &str) -> Client {
    Client::builder(url)
        .allow_insecure_http(true)
        .credentials(Credentials::api_token("root@pam!t", "s"))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_status_line_reason_is_read_from_the_wire() {
    let url = raw_server(
        "HTTP/1.1 500 Configuration file 'nodes/pve/lxc/999.conf' does not exist\r\nContent-Type: application/json\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{\"data\":null}",
    )
    .await;
    let err = raw_client(&url)
        .get::<serde_json::Value>("/nodes/pve/lxc/999/config")
        .await
        .unwrap_err();
    match &err {
        Error::NotFound { status, message } => {
            assert_eq!(*status, 500);
            assert_eq!(
                message,
                "Configuration file 'nodes/pve/lxc/999.conf' does not exist"
            );
        }
        other => panic!("{other:?}"),
    }

    let url = raw_server(
        "HTTP/1.1 403 Permission check failed (/vms/100, VM.Audit)\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{\"data\":null}",
    )
    .await;
    let err = raw_client(&url)
        .get::<serde_json::Value>("/nodes/pve/lxc/100/status/current")
        .await
        .unwrap_err();
    match err {
        Error::PermissionDenied {
            path, privilege, ..
        } => {
            assert_eq!(path.as_deref(), Some("/vms/100"));
            assert_eq!(privilege.as_deref(), Some("VM.Audit"));
        }
        other => panic!("{other:?}"),
    }

    let url =
        raw_server("HTTP/1.1 401 No ticket\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .await;
    let err = raw_client(&url)
        .get::<serde_json::Value>("/version")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Authentication { reason } if reason == "No ticket"),
        "{err:?}"
    );
}

#[tokio::test]
async fn decode_errors_name_the_json_path() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Node {
        node: String,
        maxmem: u64,
    }
    let url = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Length: 59\r\nConnection: close\r\n\r\n{\"data\":[{\"node\":\"a\",\"maxmem\":1},{\"node\":\"b\",\"maxmem\":-1}]}",
    )
    .await;
    let err = raw_client(&url)
        .get::<Vec<Node>>("/nodes")
        .await
        .unwrap_err();
    match &err {
        Error::Decode { path, .. } => assert_eq!(path, "data[1].maxmem"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn per_call_timeout_overrides_the_default() {
    let url = raw_server("").await;
    let client = raw_client(&url);
    let err = client
        .send_with::<serde_json::Value>(
            ApiRequest::get(["version"]),
            CallOptions {
                timeout: Some(Duration::from_millis(300)),
            },
        )
        .await
        .unwrap_err();
    match err {
        Error::Timeout {
            sent,
            elapsed_ms,
            phase,
        } => {
            assert!(sent);
            // The time really waited: at least the timeout, not wildly more.
            assert!((300..3000).contains(&elapsed_ms), "{elapsed_ms}");
            assert_eq!(phase, proxmox_api_core::TimeoutPhase::Response);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn connection_refused_is_a_connect_error_never_sent() {
    // Bind and drop to find a port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = raw_client(&format!("http://127.0.0.1:{port}"))
        .get::<serde_json::Value>("/version")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "CONNECT", "{err:?}");
    assert!(!err.was_sent());
    assert_eq!(err.retry_safety(), RetrySafety::Safe);
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}
