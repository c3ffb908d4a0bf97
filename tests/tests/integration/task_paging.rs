//! Paging the task history through the client: `total` is what the simulator counts of all
//! matching tasks, the page is `limit` of them from `start`.

use crate::common;

use common::{created_container, finish, start_scaled};

#[tokio::test]
async fn a_task_page_carries_the_total_of_all_matching_tasks() {
    let env = start_scaled(1, 0.0).await;
    let client = &env.client;
    let vmid = created_container(client, "pve1", "paged").await;
    let ct = client.node("pve1").container(vmid);
    for _ in 0..3 {
        finish(ct.start().await.unwrap()).await.unwrap();
        finish(ct.stop().await.unwrap()).await.unwrap();
    }
    let node = client.node("pve1");
    let history: Vec<String> = node
        .tasks(None, None)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.upid)
        .collect();
    assert!(
        history.len() >= 7,
        "create + 3 starts + 3 stops: {history:?}"
    );

    let first = node.task_page(None, None, 0, 2).await.unwrap();
    assert_eq!(first.total, Some(history.len() as u64));
    let upids: Vec<&str> = first.tasks.iter().map(|t| t.upid.as_str()).collect();
    assert_eq!(upids, history[..2]);
    let second = node.task_page(None, None, 2, 2).await.unwrap();
    let upids: Vec<&str> = second.tasks.iter().map(|t| t.upid.as_str()).collect();
    assert_eq!(upids, history[2..4]);
    assert_eq!(second.total, first.total);

    let starts = node.task_page(Some("vzstart"), None, 0, 1).await.unwrap();
    assert_eq!(starts.tasks.len(), 1);
    assert_eq!(starts.tasks[0].task_type, "vzstart");
    assert_eq!(starts.total, Some(3), "only the matching tasks count");
    let stops = node
        .task_page(Some("vzstop"), Some(vmid), 1, 50)
        .await
        .unwrap();
    assert_eq!(stops.tasks.len(), 2, "the 3 stops after skipping one");
    assert_eq!(stops.total, Some(3));
    let none = node.task_page(Some("vzdestroy"), None, 0, 5).await.unwrap();
    assert!(none.tasks.is_empty());
    assert_eq!(none.total, Some(0));
}
