//! Users end to end: accounts, container assignment through ACLs, and what each user sees.

use crate::common;

use common::{a_template, client_for, created_container, finish, spec, start};
use secrecy::ExposeSecret;

#[tokio::test]
async fn create_get_assign_unassign_delete() {
    let env = start(1).await;
    let client = &env.client;
    let users = client.users();
    let userid = users.create("alice", "alice-pass-1").send().await.unwrap();
    assert_eq!(userid, "alice@pve");
    assert!(users
        .list()
        .await
        .unwrap()
        .iter()
        .any(|u| u.userid == userid));

    let vmid = created_container(client, "pve1", "alices").await;

    assert!(users.get(&userid).await.unwrap().vmids.is_empty());
    users.assign(&userid, vmid).await.unwrap();
    assert_eq!(users.get(&userid).await.unwrap().vmids, vec![vmid]);
    let acl = users.acl().await.unwrap();
    let entry = acl
        .iter()
        .find(|e| e.ugid == userid && e.path == format!("/vms/{}", vmid))
        .expect("ACL entry");
    assert_eq!(entry.roleid, "PVEVMUser");
    let theirs: Vec<u32> = users
        .containers(&userid)
        .await
        .unwrap()
        .iter()
        .map(|g| g.vmid)
        .collect();
    assert_eq!(theirs, vec![vmid]);

    users.unassign(&userid, vmid).await.unwrap();
    assert!(users.get(&userid).await.unwrap().vmids.is_empty());

    users.assign(&userid, vmid).await.unwrap();
    users.delete(&userid).await.unwrap();
    assert!(!users
        .list()
        .await
        .unwrap()
        .iter()
        .any(|u| u.userid == userid));
    assert!(!users.acl().await.unwrap().iter().any(|e| e.ugid == userid));
    // Deleting the user never deletes the container.
    assert!(client.containers().get(vmid).await.is_ok());
}

#[tokio::test]
async fn passwords_are_checked_before_sending_and_can_be_changed() {
    let env = start(1).await;
    let users = env.client.users();
    let err = users.create("bob", "short").send().await.unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
    assert!(!err.was_sent());
    let err = users
        .create("bob", "x".repeat(65))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
    let err = users
        .create("b ob", "long-enough")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");

    let userid = users
        .create("bob", "first-pass")
        .realm("pve")
        .email("bob@example.com")
        .send()
        .await
        .unwrap();
    assert!(client_for(&env.sim, &userid, "first-pass")
        .nodes()
        .list()
        .await
        .is_ok());
    users
        .set_password(&userid, "second-pass", env.sim.password())
        .await
        .unwrap();
    let err = client_for(&env.sim, &userid, "first-pass")
        .nodes()
        .list()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "AUTHENTICATION", "{err}");
    assert!(client_for(&env.sim, &userid, "second-pass")
        .nodes()
        .list()
        .await
        .is_ok());
    assert_eq!(
        users
            .set_password(&userid, "1234567", env.sim.password())
            .await
            .unwrap_err()
            .code(),
        "INVALID_INPUT"
    );
}

#[tokio::test]
async fn a_user_sees_exactly_their_containers_and_opens_only_their_consoles() {
    let env = start(2).await;
    let client = &env.client;
    let template = a_template(client, "pve1").await;
    let carol = client
        .users()
        .create("carol", "carol-pass")
        .send()
        .await
        .unwrap();
    let mut mine = Vec::new();
    let mut others = Vec::new();
    for i in 0..4 {
        let owner_spec = spec(&template, &format!("ct{i}")).node("pve1");
        let owner_spec = if i % 2 == 0 {
            owner_spec.owner(&carol)
        } else {
            owner_spec
        };
        let created = client
            .containers()
            .create(owner_spec.build().unwrap())
            .send()
            .await
            .unwrap();
        finish(created.task).await.unwrap();
        if i % 2 == 0 {
            mine.push(created.vmid);
        } else {
            others.push(created.vmid);
        }
    }
    let as_carol = client_for(&env.sim, &carol, "carol-pass");
    let mut seen: Vec<u32> = as_carol
        .containers()
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.vmid)
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, mine);
    assert_eq!(client.users().get(&carol).await.unwrap().vmids, mine);

    let session = client
        .console_session_for(&carol, "carol-pass", "pve1", mine[0])
        .await
        .unwrap();
    assert_eq!(session.cookie.name, "PVEAuthCookie");
    assert_eq!(session.cookie.path, "/");
    assert!(session.cookie.secure);
    let ticket = session.cookie.value.expose_secret();
    assert!(
        ticket.starts_with(&format!("PVE:{carol}:")),
        "the user's own ticket"
    );
    assert!(!ticket.contains("root@pam"));
    assert!(session.url.contains(&format!("vmid={}", mine[0])));
    assert!(session.url.contains("console=lxc"));
    assert!(!format!("{session:?}").contains(ticket));

    let err = client
        .console_session_for(&carol, "carol-pass", "pve1", others[0])
        .await
        .unwrap_err();
    assert_eq!(err.code(), "PERMISSION_DENIED", "{err}");
    let err = client
        .console_session_for(&carol, "wrong-pass", "pve1", mine[0])
        .await
        .unwrap_err();
    assert_eq!(err.code(), "AUTHENTICATION", "{err}");
}
