//! The client asks for gzip and decodes a gzip-compressed answer.

use crate::common;

use std::io::Write;

use common::*;
use mockito::Matcher;
use proxmox_api_core::ManualClock;

#[tokio::test]
async fn asks_for_gzip_and_decodes_it() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let body = r#"{"data":{"version":"9.1.1","release":"9.1","repoid":"abcdef12"}}"#;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(body.as_bytes()).unwrap();
    let gz = encoder.finish().unwrap();
    let mock = server
        .mock("GET", "/api2/json/version")
        .match_header("accept-encoding", Matcher::Regex("gzip".to_owned()))
        .with_header("content-encoding", "gzip")
        .with_body(gz)
        .expect(1)
        .create_async()
        .await;
    let client = token_builder(&server, &clock).build().unwrap();
    let version = client.version().await.unwrap();
    assert_eq!(version.release, "9.1");
    mock.assert_async().await;
}

#[tokio::test]
async fn the_response_limit_applies_to_the_inflated_body() {
    // A "gzip bomb": 64 MiB of zeros arrive as about 64 KiB on the wire. The client must stop
    // at its limit on what the body inflates to, not on what it moved.
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(br#"{"data":""#).unwrap();
    encoder.write_all(&vec![b'0'; 64 << 20]).unwrap();
    encoder.write_all(br#""}"#).unwrap();
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 1 << 20, "{} bytes on the wire", bomb.len());
    let _mock = server
        .mock("GET", "/api2/json/version")
        .with_header("content-encoding", "gzip")
        .with_body(bomb)
        .create_async()
        .await;
    let client = token_builder(&server, &clock)
        .max_response_bytes(8 << 20)
        .build()
        .unwrap();
    let err = client.version().await.unwrap_err();
    assert!(
        matches!(err, proxmox_api_core::Error::ResponseTooLarge { limit } if limit == 8 << 20),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_corrupt_gzip_body_is_an_error_that_says_so() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let _mock = server
        .mock("GET", "/api2/json/version")
        .with_header("content-encoding", "gzip")
        .with_body(r#"{"data":{"version":"9.1.1"}}"#)
        .create_async()
        .await;
    let client = token_builder(&server, &clock).build().unwrap();
    let err = client.version().await.unwrap_err();
    assert!(err.to_string().contains("gzip"), "{err}");
}
