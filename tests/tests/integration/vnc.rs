//! VNC end to end: a typed proxy ticket and the console URL.

use crate::common;

use common::{a_template, finish, spec, start};
use secrecy::ExposeSecret;

#[tokio::test]
async fn vnc_proxy_is_typed_and_secret() {
    let env = start(1).await;
    let client = &env.client;
    let template = a_template(client, "pve1").await;
    let created = client
        .containers()
        .create(spec(&template, "console").node("pve1").build().unwrap())
        .send()
        .await
        .unwrap();
    finish(created.task).await.unwrap();
    let ct = client.node("pve1").container(created.vmid);
    finish(ct.start().await.unwrap()).await.unwrap();

    let proxy = ct.vnc_proxy().await.unwrap();
    assert!((5900..6000).contains(&proxy.port), "{}", proxy.port);
    assert!(proxy.ticket.expose_secret().starts_with("PVEVNC:"));
    assert!(proxy.upid.contains(":vncproxy:"));
    assert!(proxy.password.is_some(), "websocket=1 gives a password");
    let debug = format!("{proxy:?}");
    assert!(!debug.contains(proxy.ticket.expose_secret()));

    let url = client.console_url("pve1", created.vmid, "console");
    let base = env.sim.url().trim_end_matches('/').to_owned();
    assert_eq!(
        url,
        format!(
            "{base}/?console=lxc&novnc=1&vmid={}&vmname=console&node=pve1&resize=off",
            created.vmid
        )
    );
}
