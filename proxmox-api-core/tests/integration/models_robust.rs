//! Models against what real servers send: resources without `id`, entries of unknown kinds and
//! shapes, `""` for unset values, the task list's `total`, and a 400 that quotes a password.

use crate::common;

use common::*;
use mockito::Matcher;
use proxmox_api_core::{ApiRequest, ManualClock};

const RESOURCES: &str = r#"{"data":[
  {"type":"node","node":"pve1","status":"online","maxmem":1000},
  {"type":"lxc","vmid":100,"node":"pve1","status":"running","name":"web","lock":"","tags":""},
  {"type":"lxc","id":"lxc/101","vmid":"101","node":"pve1","status":"stopped","lock":"backup"},
  {"type":"lxc","id":"lxc/102","vmid":102,"node":"pve1","status":["weird"]},
  {"type":"qemu","vmid":200,"node":"pve1","status":"running"},
  {"type":"storage","storage":"local","node":"pve1","content":"vztmpl,iso"},
  {"type":"sdn","sdn":"localnetwork","node":"pve1"},
  {"type":"openvz","vmid":300},
  {"no":"type at all"}
]}"#;

async fn client_with_resources() -> (mockito::ServerGuard, proxmox_api_core::Client) {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    server
        .mock("GET", "/api2/json/cluster/resources")
        .match_query(Matcher::Any)
        .with_body(RESOURCES)
        .create_async()
        .await;
    let client = token_builder(&server, &clock).build().unwrap();
    (server, client)
}

#[tokio::test]
async fn a_listing_with_odd_entries_still_lists_containers() {
    let (_server, client) = client_with_resources().await;
    let all = client.cluster().resources(None).await.unwrap();
    assert_eq!(all.len(), 9, "no entry dropped, none fails the list");
    let ids: Vec<_> = all.iter().map(|r| r.id()).collect();
    assert_eq!(ids[0], Some("node/pve1"));
    assert_eq!(ids[1], Some("lxc/100"), "rebuilt from type and vmid");
    assert_eq!(ids[4], Some("qemu/200"));
    assert_eq!(ids[5], Some("storage/pve1/local"));
    assert_eq!(
        all[3].kind(),
        "lxc",
        "an undecodable lxc entry is kept, as sent"
    );

    let containers = client.containers().list().await.unwrap();
    let vmids: Vec<u32> = containers.iter().map(|g| g.vmid).collect();
    assert_eq!(vmids, vec![100, 101]);
    assert_eq!(containers[0].lock, None, "lock \"\" is no lock");
    assert_eq!(containers[0].tags, None);
    assert_eq!(containers[1].lock.as_deref(), Some("backup"));
    assert_eq!(client.containers().locate(100).await.unwrap(), "pve1");
}

#[tokio::test]
async fn the_task_list_total_is_kept() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    server
        .mock("GET", "/api2/json/nodes/pve1/tasks")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("start".into(), "0".into()),
            Matcher::UrlEncoded("limit".into(), "1".into()),
        ]))
        .with_body(
            r#"{"total":57,"data":[{"upid":"UPID:pve1:00001234:00005678:6955A000:vzstart:100:root@pam:","node":"pve1","pid":4660,"pstart":22136,"starttime":1767219200,"type":"vzstart","id":"100","user":"root@pam","status":"OK","endtime":1767219201}]}"#,
        )
        .create_async()
        .await;
    let client = token_builder(&server, &clock).build().unwrap();
    let page = client
        .node("pve1")
        .task_page(None, None, 0, 1)
        .await
        .unwrap();
    assert_eq!(page.total, Some(57));
    assert_eq!(page.tasks.len(), 1);
}

#[tokio::test]
async fn a_submitted_password_quoted_by_the_server_is_scrubbed() {
    let mut server = mockito::Server::new_async().await;
    let clock = ManualClock::at_unix(T0);
    let secret = "canary-Pa55word";
    server
        .mock("PUT", "/api2/json/access/password")
        .with_status(400)
        .with_body(format!(
            r#"{{"data":null,"message":"Parameter verification failed: password {secret} too weak\n","errors":{{"password":"value '{secret}' is too weak"}}}}"#
        ))
        .create_async()
        .await;
    let client = token_builder(&server, &clock).build().unwrap();
    let err = client
        .send::<()>(
            ApiRequest::put(["access", "password"])
                .param("userid", "alice@pve")
                .param("password", secrecy::SecretString::from(secret.to_owned())),
        )
        .await
        .unwrap_err();
    let shown = format!("{err} {err:?} {:?} {:?}", err.parameter_errors(), err);
    assert!(!shown.contains(secret), "{shown}");
    assert_eq!(err.code(), "INVALID_PARAMETERS");
    assert_eq!(
        err.parameter_errors()["password"],
        "value '[REDACTED]' is too weak"
    );
}
