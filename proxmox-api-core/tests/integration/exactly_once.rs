//! Exactly-once container creation against the simulator when the creation's answer is lost
//! after PVE executed it (connection reset or stall by a loopback proxy): the container is found
//! by its marker and returned, never orphaned nor created twice; an idempotency key makes a
//! repeated call return the first result.

use crate::common;

use std::time::Duration;

use common::fault_proxy::{Fault, FaultProxy};
use proxmox_api_core::api::ContainerSpec;
use proxmox_api_core::{Client, Credentials, Error};
use proxmox_api_sim::{RunningSimulator, Simulator};

const CREATE: &str = "POST /api2/json/nodes/pve1/lxc ";

async fn setup() -> (RunningSimulator, FaultProxy, Client) {
    let sim = Simulator::builder()
        .nodes(2)
        .plain_http(true)
        .task_duration_scale(0.01)
        .start()
        .await
        .unwrap();
    let proxy = FaultProxy::start(sim.url()).await;
    let client = Client::builder(proxy.url())
        .allow_insecure_http(true)
        .credentials(Credentials::password(sim.user(), sim.password()))
        .request_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    (sim, proxy, client)
}

async fn template(client: &Client) -> String {
    client
        .node("pve1")
        .templates()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.volid)
        .find(|v| v.starts_with("local:vztmpl/"))
        .unwrap()
}

fn spec(template: &str, name: &str) -> ContainerSpec {
    ContainerSpec::builder()
        .hostname(name)
        .template(template)
        .node("pve1")
        .password("s3cret-root")
        .memory_mib(256)
        .disk_gib(2)
        .build()
        .unwrap()
}

async fn container_count(client: &Client) -> usize {
    client.containers().list().await.unwrap().len()
}

#[tokio::test]
async fn a_create_whose_answer_is_reset_returns_the_created_container() {
    let (_sim, proxy, client) = setup().await;
    let template = template(&client).await;
    let before = container_count(&client).await;
    proxy.arm(CREATE, Fault::Reset, 1);
    let created = client
        .containers()
        .create(spec(&template, "reset1"))
        .send()
        .await
        .expect("reconciled instead of failing");
    assert_eq!(proxy.counts().0, 1, "the answer really was lost");
    assert_eq!(created.node, "pve1");
    assert_eq!(created.task.upid().task_type, "vzcreate");
    assert_eq!(created.task.upid().id, created.vmid.to_string());
    assert_eq!(
        container_count(&client).await,
        before + 1,
        "exactly one container"
    );
}

#[tokio::test]
async fn a_create_whose_answer_stalls_returns_the_created_container() {
    let (_sim, proxy, client) = setup().await;
    let template = template(&client).await;
    let before = container_count(&client).await;
    proxy.arm(CREATE, Fault::Stall, 1);
    let created = client
        .containers()
        .create(spec(&template, "stall1"))
        .send()
        .await
        .expect("reconciled instead of timing out");
    assert_eq!(proxy.counts().1, 1);
    assert_eq!(container_count(&client).await, before + 1);
    assert!(client
        .containers()
        .list()
        .await
        .unwrap()
        .iter()
        .any(|g| g.vmid == created.vmid));
}

#[tokio::test]
async fn a_repeated_call_with_the_same_idempotency_key_returns_the_first_result() {
    let (_sim, proxy, client) = setup().await;
    let template = template(&client).await;
    let before = container_count(&client).await;
    let first = client
        .containers()
        .create(spec(&template, "idem"))
        .idempotency_key("order-4711")
        .send()
        .await
        .unwrap();
    // Even with the repeat's own create answer lost, nothing new is created.
    proxy.arm(CREATE, Fault::Reset, 1);
    let again = client
        .containers()
        .create(spec(&template, "idem"))
        .idempotency_key("order-4711")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (again.vmid, again.node.as_str()),
        (first.vmid, first.node.as_str())
    );
    assert_eq!(again.task.upid(), first.task.upid());
    assert_eq!(proxy.counts().0, 0, "the repeat never posted a creation");
    assert_eq!(container_count(&client).await, before + 1);
    let other = client
        .containers()
        .create(spec(&template, "idem2"))
        .idempotency_key("order-4712")
        .send()
        .await
        .unwrap();
    assert_ne!(other.vmid, first.vmid);
}

#[tokio::test]
async fn a_create_that_never_reached_pve_reports_vmid_and_node() {
    let (sim, _proxy, client) = setup().await;
    let template = template(&client).await;
    // 502 before execution (the simulator's fault stage runs before dispatch): not created.
    sim.control()
        .fail_next("POST", "/nodes/pve1/lxc", 1, 502, "Bad Gateway");
    let err = client
        .containers()
        .create(spec(&template, "gone"))
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::CreateUnconfirmed {
            vmid,
            node,
            exists,
            cause,
        } => {
            assert!(*vmid >= 100);
            assert_eq!(node, "pve1");
            assert_eq!(*exists, Some(false));
            assert_eq!(cause.status(), Some(502));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.was_sent());
}
