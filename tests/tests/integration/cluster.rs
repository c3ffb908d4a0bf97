//! Cluster views end to end: resources by kind, status, next id, task history, destroy log.

use crate::common;

use common::{a_template, finish, spec, start};
use proxmox_api_core::api::{ResourceKind, TaskFilter, TaskResult};
use proxmox_api_core::models::ClusterResource;

#[tokio::test]
async fn resources_status_and_next_id() {
    let env = start(3).await;
    let client = &env.client;
    let cluster = client.cluster();

    let all = cluster.resources(None).await.unwrap();
    let nodes = all
        .iter()
        .filter(|r| matches!(r, ClusterResource::Node(_)))
        .count();
    assert_eq!(nodes, 3);
    assert!(all.iter().any(|r| matches!(r, ClusterResource::Storage(_))));

    let only_nodes = cluster.resources(Some(ResourceKind::Node)).await.unwrap();
    assert_eq!(only_nodes.len(), 3);
    assert!(only_nodes
        .iter()
        .all(|r| matches!(r, ClusterResource::Node(_))));
    let storages = cluster
        .resources(Some(ResourceKind::Storage))
        .await
        .unwrap();
    assert!(!storages.is_empty());
    assert!(storages
        .iter()
        .all(|r| matches!(r, ClusterResource::Storage(_))));

    let status = cluster.status().await.unwrap();
    let online: Vec<_> = status
        .iter()
        .filter(|e| e.kind == "node" && e.online == Some(true))
        .collect();
    assert_eq!(online.len(), 3);

    let next = cluster.next_id().await.unwrap();
    assert!(next >= 100);
    let template = a_template(client, "pve1").await;
    let created = client
        .containers()
        .create(spec(&template, "taken").node("pve1").build().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(created.vmid, next);
    assert!(cluster.next_id().await.unwrap() > next);
    finish(created.task).await.unwrap();
    let vms = cluster.resources(Some(ResourceKind::Vm)).await.unwrap();
    assert!(vms
        .iter()
        .any(|r| matches!(r, ClusterResource::Lxc(g) if g.vmid == created.vmid)));
}

#[tokio::test]
async fn task_history_filters_and_destroy_log() {
    let env = start(2).await;
    let client = &env.client;
    let template = a_template(client, "pve1").await;
    let mut vmids = Vec::new();
    for node in ["pve1", "pve2"] {
        let template = if node == "pve1" {
            template.clone()
        } else {
            a_template(client, node).await
        };
        let created = client
            .containers()
            .create(spec(&template, "doomed").node(node).build().unwrap())
            .send()
            .await
            .unwrap();
        finish(created.task).await.unwrap();
        vmids.push((node, created.vmid));
    }
    let creates = client
        .cluster()
        .tasks(&TaskFilter::all().task_type("vzcreate"))
        .await
        .unwrap();
    assert_eq!(creates.len(), 2, "{creates:?}");
    let one = client
        .cluster()
        .tasks(&TaskFilter::all().vmid(vmids[0].1))
        .await
        .unwrap();
    assert!(!one.is_empty());
    assert!(one.iter().all(|t| t.id == vmids[0].1.to_string()));

    for (node, vmid) in &vmids {
        finish(client.node(*node).container(*vmid).delete().await.unwrap())
            .await
            .unwrap();
    }
    let log = client.cluster().destroy_log().await.unwrap();
    assert_eq!(log.len(), 2, "{log:?}");
    for (node, vmid) in &vmids {
        let record = log
            .iter()
            .find(|r| r.vmid == *vmid)
            .expect("destroy listed");
        assert_eq!(record.node, *node);
        assert_eq!(record.user, "root@pam");
        assert_eq!(record.outcome, TaskResult::Ok);
        assert!(record.end.is_some_and(|end| end >= record.start));
    }
}
