//! Containers end to end on the simulator: lifecycle, placement, vmid races, delete, failures.

use crate::common;

use std::collections::BTreeSet;

use common::{a_template, created_container, finish, spec, start};
use proxmox_api_core::api::Placement;
use proxmox_api_core::models::{GuestStatus, NodeOnlineStatus};
use proxmox_api_core::Error;

#[tokio::test]
async fn full_lifecycle_create_start_stop_delete() {
    let env = start(1).await;
    let client = &env.client;
    let template = a_template(client, "pve1").await;
    let created = client
        .containers()
        .create(spec(&template, "life").node("pve1").build().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(created.node, "pve1");
    assert_eq!(created.task.upid().task_type, "vzcreate");
    assert_eq!(created.task.upid().id, created.vmid.to_string());
    let outcome = finish(created.task.clone()).await.unwrap();
    assert!(outcome.is_clean(), "{outcome:?}");
    assert_eq!(outcome.exit_status, "OK");

    let ct = client.node("pve1").container(created.vmid);
    let merged = client.containers().get(created.vmid).await.unwrap();
    assert_eq!(merged.node, "pve1");
    assert_eq!(merged.config.hostname.as_deref(), Some("life"));
    assert_eq!(merged.status.status, GuestStatus::Stopped);

    let started = ct.start().await.unwrap();
    assert_eq!(started.upid().task_type, "vzstart");
    finish(started).await.unwrap();
    assert_eq!(ct.status().await.unwrap().status, GuestStatus::Running);
    assert!(client
        .containers()
        .list()
        .await
        .unwrap()
        .iter()
        .any(|g| g.vmid == created.vmid && g.node == "pve1"));

    let stopped = ct.stop().await.unwrap();
    assert_eq!(stopped.upid().task_type, "vzstop");
    finish(stopped).await.unwrap();
    assert_eq!(ct.status().await.unwrap().status, GuestStatus::Stopped);

    let destroy = ct.delete().await.unwrap();
    assert_eq!(destroy.upid().task_type, "vzdestroy");
    finish(destroy).await.unwrap();
    let err = client.containers().get(created.vmid).await.unwrap_err();
    assert_eq!(err.code(), "NOT_FOUND", "{err}");
    let err = ct.status().await.unwrap_err();
    assert_eq!(err.code(), "NOT_FOUND", "{err}");
}

#[tokio::test]
async fn shutdown_and_reboot_are_tasks_of_their_type() {
    let env = start(1).await;
    let client = &env.client;
    let vmid = created_container(client, "pve1", "cycle").await;
    let ct = client.node("pve1").container(vmid);
    finish(ct.start().await.unwrap()).await.unwrap();
    let reboot = ct.reboot().await.unwrap();
    assert_eq!(reboot.upid().task_type, "vzreboot");
    finish(reboot).await.unwrap();
    assert_eq!(ct.status().await.unwrap().status, GuestStatus::Running);
    let shutdown = ct.shutdown().await.unwrap();
    assert_eq!(shutdown.upid().task_type, "vzshutdown");
    finish(shutdown).await.unwrap();
    assert_eq!(ct.status().await.unwrap().status, GuestStatus::Stopped);
}

#[tokio::test]
async fn deleting_a_running_container_stops_it_first() {
    let env = start(1).await;
    let client = &env.client;
    let vmid = created_container(client, "pve1", "running").await;
    let ct = client.node("pve1").container(vmid);
    finish(ct.start().await.unwrap()).await.unwrap();
    assert_eq!(ct.status().await.unwrap().status, GuestStatus::Running);

    finish(ct.delete().await.unwrap()).await.unwrap();

    let stops = client
        .node("pve1")
        .tasks(Some("vzstop"), Some(vmid))
        .await
        .unwrap();
    assert_eq!(
        stops.len(),
        1,
        "exactly one stop before the destroy: {stops:?}"
    );
    assert!(client.containers().get(vmid).await.is_err());
}

#[tokio::test]
async fn placement_picks_most_free_memory_among_nodes_with_the_template() {
    let env = start(3).await;
    let client = &env.client;
    let template = a_template(client, "pve1").await;
    // Make the node that would win use memory, so the choice is not the default order.
    let nodes = client.nodes().list().await.unwrap();
    let most_free = |nodes: &[proxmox_api_core::models::NodeSummary]| {
        nodes
            .iter()
            .filter(|n| n.status == NodeOnlineStatus::Online)
            .max_by_key(|n| {
                (
                    n.maxmem.unwrap_or(0).saturating_sub(n.mem.unwrap_or(0)),
                    std::cmp::Reverse(n.node.clone()),
                )
            })
            .map(|n| n.node.clone())
            .unwrap()
    };
    let first_winner = most_free(&nodes);
    let hog = client
        .containers()
        .create(
            spec(&template, "hog")
                .node(&first_winner)
                .memory_mib(8192)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    finish(hog.task).await.unwrap();
    finish(
        client
            .node(&first_winner)
            .container(hog.vmid)
            .start()
            .await
            .unwrap(),
    )
    .await
    .unwrap();

    let nodes = client.nodes().list().await.unwrap();
    let expected = most_free(&nodes);
    let placed = client
        .containers()
        .create(spec(&template, "placed").build().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(placed.node, expected, "nodes: {nodes:?}");
    finish(placed.task).await.unwrap();
}

#[tokio::test]
async fn placement_only_considers_nodes_holding_the_template() {
    let env = start(3).await;
    let client = &env.client;
    // Download a catalogue template onto pve3 only.
    let catalogue = client.node("pve3").aplinfo().await.unwrap();
    let local: BTreeSet<String> = client
        .node("pve3")
        .templates()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.volid)
        .collect();
    let entry = catalogue
        .iter()
        .find(|e| !local.contains(&format!("local:vztmpl/{}", e.template)))
        .expect("a template not yet downloaded");
    let download = client
        .node("pve3")
        .download_template("local", &entry.template)
        .await
        .unwrap();
    finish(download).await.unwrap();
    let volid = format!("local:vztmpl/{}", entry.template);
    let catalog = client.templates().list_all().await.unwrap();
    let holders: Vec<&str> = catalog
        .templates
        .iter()
        .find(|t| t.volid == volid)
        .expect("downloaded template listed")
        .nodes()
        .collect();
    assert_eq!(holders, vec!["pve3"]);

    for policy in [
        Placement::MostFreeMemory,
        Placement::LeastLoad,
        Placement::MostFreeDisk,
    ] {
        let placed = client
            .containers()
            .create(spec(&volid, "only-pve3").placement(policy).build().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(placed.node, "pve3", "{policy:?}");
        finish(placed.task).await.unwrap();
    }
}

#[tokio::test]
async fn ten_concurrent_creates_get_distinct_vmids() {
    let env = start(3).await;
    let client = &env.client;
    let template = a_template(client, "pve1").await;
    let creates = (0..10).map(|i| {
        let client = client.clone();
        let spec = spec(&template, &format!("race-{i}"))
            .node("pve1")
            .build()
            .unwrap();
        tokio::spawn(async move { client.containers().create(spec).send().await })
    });
    let results = futures_util::future::join_all(creates).await;
    let mut vmids = BTreeSet::new();
    for result in results {
        let created = result.unwrap().expect("every create succeeds");
        vmids.insert(created.vmid);
        finish(created.task).await.unwrap();
    }
    assert_eq!(vmids.len(), 10, "{vmids:?}");
    let listed: BTreeSet<u32> = client
        .containers()
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.vmid)
        .collect();
    assert!(vmids.is_subset(&listed));
}

#[tokio::test]
async fn a_failed_task_surfaces_exit_status_and_log() {
    let env = start(1).await;
    let client = &env.client;
    let template = a_template(client, "pve1").await;
    env.sim
        .control()
        .fail_next_task("vzcreate", "unable to create CT - disk full (simulated)");
    let created = client
        .containers()
        .create(spec(&template, "doomed").node("pve1").build().unwrap())
        .send()
        .await
        .unwrap();
    let err = finish(created.task.clone()).await.unwrap_err();
    match &err {
        Error::TaskFailed {
            upid,
            exit_status,
            log_tail,
        } => {
            assert_eq!(upid, &created.task.upid().to_string());
            assert!(exit_status.contains("disk full"), "{exit_status}");
            let last = log_tail.last().expect("log lines");
            assert!(last.starts_with("TASK ERROR"), "{log_tail:?}");
        }
        other => panic!("expected TaskFailed, got {other:?}"),
    }
    assert_eq!(err.code(), "TASK_FAILED");
}

#[tokio::test]
async fn an_explicit_vmid_already_taken_is_a_conflict_not_retried() {
    let env = start(1).await;
    let client = &env.client;
    let template = a_template(client, "pve1").await;
    let first = client
        .containers()
        .create(
            spec(&template, "one")
                .node("pve1")
                .vmid(4242)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(first.vmid, 4242);
    finish(first.task).await.unwrap();
    let err = client
        .containers()
        .create(
            spec(&template, "two")
                .node("pve1")
                .vmid(4242)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "CONFLICT", "{err}");
}

#[tokio::test]
async fn an_invalid_spec_is_refused_before_sending() {
    let err = spec("local:vztmpl/x.tar.zst", "bad_host")
        .build()
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
    assert!(!err.was_sent());
    assert!(err.parameter_errors().contains_key("hostname"));
}

#[tokio::test]
async fn container_rrddata_and_node_listing() {
    let env = start(1).await;
    let client = &env.client;
    let vmid = created_container(client, "pve1", "graphs").await;
    let ct = client.node("pve1").container(vmid);
    finish(ct.start().await.unwrap()).await.unwrap();
    let points = ct
        .rrddata(
            proxmox_api_core::models::RrdTimeframe::Hour,
            proxmox_api_core::models::RrdConsolidation::Average,
        )
        .await
        .unwrap();
    assert!(!points.is_empty());
    assert!(points.windows(2).all(|w| w[0].time < w[1].time));
    let on_node = client.node("pve1").containers().await.unwrap();
    let listed = on_node
        .iter()
        .find(|c| c.vmid == vmid)
        .expect("listed on its node");
    assert_eq!(listed.status, GuestStatus::Running);
}
