//! The client asks for gzip and decodes a gzip-compressed answer.

use crate::common;

use std::io::Write;

use common::*;
use mockito::Matcher;
use proxmox_api_core::{Credentials, ManualClock};

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
    let client = builder(&server, &clock)
        .credentials(Credentials::api_token(
            "root@pam!ci",
            "00000000-0000-0000-0000-000000000000",
        ))
        .build()
        .unwrap();
    let version = client.version().await.unwrap();
    assert_eq!(version.release, "9.1");
    mock.assert_async().await;
}
