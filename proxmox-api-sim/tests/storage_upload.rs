//! `POST .../storage/{storage}/upload` over HTTPS with a real multipart body: the file becomes a
//! volume through an `imgcopy` task, wrong extensions and content types get PVE's errors.

mod infra_support;

use std::time::Duration;

use infra_support::{raw, Auth, Session};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use proxmox_api_sim::{RunningSimulator, Simulator};
use serde_json::Value;

async fn sim() -> RunningSimulator {
    Simulator::builder()
        .task_duration_scale(0.0)
        .auth_failure_delay(Duration::ZERO)
        .start()
        .await
        .expect("simulator starts")
}

/// Sends a multipart upload as browsers and proxmoxer do (no CSRF token: PVE skips it here).
async fn upload(
    sim: &RunningSimulator,
    ticket: &str,
    content: &str,
    filename: &str,
    size: usize,
) -> (String, Value) {
    let file = "A".repeat(size);
    let body = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\n{content}\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"filename\"; filename=\"{filename}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n{file}\r\n--XyZ--\r\n"
    );
    let request = format!(
        "POST /api2/json/nodes/pve1/storage/local/upload HTTP/1.1\r\nHost: sim\r\n\
         Cookie: PVEAuthCookie={ticket}\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, _, answer) = raw(sim, &request).await;
    let json = serde_json::from_slice(&answer).unwrap_or(Value::Null);
    (status, json)
}

#[tokio::test]
async fn an_uploaded_iso_becomes_a_volume_through_an_imgcopy_task() {
    let sim = sim().await;
    let s = Session::root(&sim).await;
    let Auth::Ticket { ticket, .. } = &s.auth else {
        panic!("a ticket session")
    };
    let (status, json) = upload(&sim, ticket, "iso", "tiny.iso", 4096).await;
    assert!(status.contains(" 200 "), "{status}: {json}");
    let upid = json["data"].as_str().expect("a UPID").to_owned();
    assert!(upid.contains(":imgcopy::root@pam:"), "{upid}");

    let path = format!(
        "/nodes/pve1/tasks/{}/status",
        utf8_percent_encode(&upid, NON_ALPHANUMERIC)
    );
    assert_eq!(s.get(&path).await.data()["exitstatus"], "OK");
    let content = s
        .get("/nodes/pve1/storage/local/content?content=iso")
        .await
        .data();
    let iso = content
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["volid"] == "local:iso/tiny.iso")
        .unwrap_or_else(|| panic!("uploaded iso listed: {content}"));
    assert_eq!(iso["size"], 4096);
    let log = s
        .get(&format!(
            "/nodes/pve1/tasks/{}/log",
            utf8_percent_encode(&upid, NON_ALPHANUMERIC)
        ))
        .await
        .data();
    let lines: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["t"].as_str().unwrap())
        .collect();
    assert!(lines.contains(&"file size is: 4096"), "{lines:?}");
    assert!(lines.contains(&"finished file import successfully"), "{lines:?}");

    // The iso can back a VM's cdrom drive.
    let create = s
        .post(
            "/nodes/pve1/qemu",
            &[("vmid", "100"), ("cdrom", "local:iso/tiny.iso")],
        )
        .await
        .data();
    assert!(create.as_str().unwrap().contains(":qmcreate:100:"));
    let config = s.get("/nodes/pve1/qemu/100/config").await.data();
    assert!(config["ide2"]
        .as_str()
        .unwrap()
        .starts_with("local:iso/tiny.iso,media=cdrom"));
}

#[tokio::test]
async fn uploads_with_a_wrong_extension_or_content_are_refused() {
    let sim = sim().await;
    let s = Session::root(&sim).await;
    let Auth::Ticket { ticket, .. } = &s.auth else {
        panic!("a ticket session")
    };
    let (status, json) = upload(&sim, ticket, "iso", "notes.txt", 10).await;
    assert!(status.contains(" 400 "), "{status}");
    assert_eq!(json["errors"]["filename"], "wrong file extension");
    let (status, _) = upload(&sim, ticket, "images", "disk.iso", 10).await;
    assert!(status.contains(" 400 "), "{status}");
}
