//! Nodes end to end: list, status, every node's status, rrd data.

use crate::common;

use common::start;
use proxmox_api_core::models::{NodeOnlineStatus, RrdConsolidation, RrdTimeframe};

#[tokio::test]
async fn list_and_status() {
    let env = start(3).await;
    let nodes = env.client.nodes().list().await.unwrap();
    let names: Vec<&str> = nodes.iter().map(|n| n.node.as_str()).collect();
    assert_eq!(names.len(), 3);
    for name in ["pve1", "pve2", "pve3"] {
        assert!(names.contains(&name), "{names:?}");
    }
    for node in &nodes {
        assert_eq!(node.status, NodeOnlineStatus::Online);
        assert!(node.maxmem.unwrap_or(0) > 0);
        assert!(node
            .ssl_fingerprint
            .as_deref()
            .is_some_and(|f| f.contains(':')));
    }
    let status = env.client.node("pve2").status().await.unwrap();
    assert_eq!(status.loadavg.len(), 3);
    assert!(status.memory.total > 0);
    assert!(status.memory.used <= status.memory.total);
    assert!(status.cpuinfo.cpus.unwrap_or(0) > 0);

    let err = env.client.node("nope").status().await.unwrap_err();
    assert_ne!(err.code(), "DECODE", "{err}");
}

#[tokio::test]
async fn status_of_every_node_at_once() {
    let env = start(4).await;
    let all = env.client.nodes().status_all().await.unwrap();
    assert_eq!(all.len(), 4);
    for (node, status) in &all {
        let status = status.as_ref().unwrap_or_else(|e| panic!("{node}: {e}"));
        assert!(status.memory.total > 0);
    }
}

#[tokio::test]
async fn node_rrddata_has_typed_points() {
    let env = start(1).await;
    for (timeframe, cf) in [
        (RrdTimeframe::Hour, RrdConsolidation::Average),
        (RrdTimeframe::Day, RrdConsolidation::Max),
        (RrdTimeframe::Year, RrdConsolidation::Average),
    ] {
        let points = env
            .client
            .node("pve1")
            .rrddata(timeframe, cf)
            .await
            .unwrap();
        assert!(points.len() >= 60, "{timeframe:?}: {}", points.len());
        assert!(points.windows(2).all(|w| w[0].time < w[1].time));
        assert!(points.iter().any(|p| p.cpu.is_some()));
    }
}
