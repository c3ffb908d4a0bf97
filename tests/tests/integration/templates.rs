//! Templates end to end: per node, merged across the cluster, catalogue and download.

use crate::common;

use common::{finish, start};

#[tokio::test]
async fn per_node_merged_catalogue_and_download() {
    let env = start(2).await;
    let client = &env.client;
    let on_pve1 = client.node("pve1").templates().await.unwrap();
    assert!(!on_pve1.is_empty());
    assert!(on_pve1.iter().all(|t| t.volid.contains(":vztmpl/")));

    let catalogue = client.node("pve1").aplinfo().await.unwrap();
    assert!(catalogue.len() >= 10);
    let missing = catalogue
        .iter()
        .find(|e| !on_pve1.iter().any(|t| t.volid.ends_with(&e.template)))
        .expect("a template not downloaded yet")
        .template
        .clone();
    let task = client
        .node("pve1")
        .download_template("local", &missing)
        .await
        .unwrap();
    finish(task).await.unwrap();

    let merged = client.templates().list_all().await.unwrap();
    assert!(merged.unreachable.is_empty(), "{:?}", merged.unreachable);
    let downloaded = merged
        .templates
        .iter()
        .find(|t| t.name == missing)
        .expect("downloaded template listed");
    assert_eq!(downloaded.nodes().collect::<Vec<_>>(), vec!["pve1"]);
    // Templates present on both nodes list both.
    let everywhere = merged
        .templates
        .iter()
        .find(|t| t.locations.len() == 2)
        .expect("the pre-downloaded templates are on every node");
    assert_eq!(everywhere.nodes().collect::<Vec<_>>(), vec!["pve1", "pve2"]);

    let err = client
        .node("pve1")
        .download_template("", &missing)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
}
