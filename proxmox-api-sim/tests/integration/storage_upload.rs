//! The multipart storage upload (what proxmoxer sends): no CSRF token needed (as PVE), the
//! volume appears, a checksum mismatch fails the `imgcopy` task, wrong content types refused.

use crate::infra_support;

use infra_support::{raw, Auth, Session};
use proxmox_api_sim::Simulator;
use sha2::Digest;

fn upload_request(ticket: &str, content_type: &str, body: &[u8]) -> String {
    format!(
        "POST /api2/json/nodes/pve1/storage/local/upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: PVEAuthCookie={}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{}",
        ticket.replace(':', "%3A"),
        body.len(),
        String::from_utf8_lossy(body)
    )
}

fn multipart(fields: &[(&str, &str)], file: &str, data: &str) -> String {
    let mut body = String::new();
    for (k, v) in fields {
        body.push_str(&format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"filename\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n{data}\r\n--XyZ--\r\n"
    ));
    body
}

#[tokio::test]
async fn multipart_upload_adds_the_volume_through_a_task() {
    let sim = Simulator::builder()
        .task_duration_scale(0.0)
        .start()
        .await
        .unwrap();
    let root = Session::root(&sim).await;
    let Auth::Ticket { ticket, .. } = &root.auth else {
        unreachable!()
    };
    let data = "not really an iso";
    let sum = proxmox_api_sim::access::crypto::hex(&sha2::Sha256::digest(data.as_bytes()));
    let body = multipart(
        &[
            ("content", "iso"),
            ("checksum", &sum),
            ("checksum-algorithm", "sha256"),
        ],
        "tiny.iso",
        data,
    );
    let (status, _, reply) = raw(
        &sim,
        &upload_request(ticket, "multipart/form-data; boundary=XyZ", body.as_bytes()),
    )
    .await;
    assert_eq!(
        status,
        "HTTP/1.1 200 OK",
        "{}",
        String::from_utf8_lossy(&reply)
    );
    let upid: serde_json::Value = serde_json::from_slice(&reply).unwrap();
    let upid = upid["data"].as_str().unwrap().to_owned();
    assert!(upid.contains(":imgcopy:"), "{upid}");
    let status = root
        .get(&format!("/nodes/pve1/tasks/{upid}/status"))
        .await
        .data();
    assert_eq!(status["exitstatus"], "OK");
    let content = root
        .get("/nodes/pve1/storage/local/content?content=iso")
        .await
        .data();
    let tiny = content
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["volid"] == "local:iso/tiny.iso")
        .expect("uploaded volume listed");
    assert_eq!(tiny["size"], data.len());

    // A checksum mismatch fails the task and adds nothing.
    let body = multipart(
        &[
            ("content", "iso"),
            ("checksum", "00"),
            ("checksum-algorithm", "sha256"),
        ],
        "bad.iso",
        data,
    );
    let (_, _, reply) = raw(
        &sim,
        &upload_request(ticket, "multipart/form-data; boundary=XyZ", body.as_bytes()),
    )
    .await;
    let upid: serde_json::Value = serde_json::from_slice(&reply).unwrap();
    let upid = upid["data"].as_str().unwrap().to_owned();
    let status = root
        .get(&format!("/nodes/pve1/tasks/{upid}/status"))
        .await
        .data();
    assert!(status["exitstatus"]
        .as_str()
        .unwrap()
        .starts_with("checksum mismatch: got '"));

    // The upload takes multipart only.
    let (status, _, _) = raw(
        &sim,
        &upload_request(
            ticket,
            "application/x-www-form-urlencoded",
            b"content=iso&filename=x.iso",
        ),
    )
    .await;
    assert_eq!(
        status,
        "HTTP/1.1 501 upload 'Content-Type 'application/x-www-form-urlencoded' not implemented"
    );
}
