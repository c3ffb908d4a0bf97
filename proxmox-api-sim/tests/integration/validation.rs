//! Schema validation over HTTP, in PVE's wording, across several methods.

use crate::infra_support;

use infra_support::Session;

#[tokio::test]
async fn lxc_create_reports_every_bad_parameter() {
    let sim = infra_support::start().await;
    let root = Session::root(&sim).await;
    let r = root
        .post(
            "/nodes/pve1/lxc",
            &[
                ("vmid", "99"),
                ("memory", "lots"),
                ("ostype", "windows"),
                ("net0", "name=eth0,bridge=vmbr0,speed=fast"),
                ("colour", "blue"),
            ],
        )
        .await;
    let e = r.errors();
    assert_eq!(r.message(), "Parameter verification failed.\n");
    assert_eq!(e["vmid"], "value must have a minimum value of 100");
    assert_eq!(e["memory"], "type check ('integer') failed - got 'lots'");
    assert!(
        e["ostype"]
            .as_str()
            .unwrap()
            .starts_with("value 'windows' does not have a value in the enumeration '"),
        "{}",
        e["ostype"]
    );
    assert!(e["net0"]
        .as_str()
        .unwrap()
        .contains("invalid key in comma-separated list property: speed"));
    assert_eq!(
        e["colour"],
        "property is not defined in schema and the schema does not allow additional properties"
    );
    assert_eq!(
        e["ostemplate"],
        "property is missing and it is not optional"
    );
}

#[tokio::test]
async fn formats_and_bounds_on_other_methods() {
    let sim = infra_support::start().await;
    let root = Session::root(&sim).await;
    let r = root
        .get("/nodes/pve1/lxc/100/rrddata?timeframe=fortnight&cf=AVERAGE")
        .await;
    assert_eq!(
        r.errors()["timeframe"],
        "value 'fortnight' does not have a value in the enumeration 'hour, day, week, month, year'"
    );
    let r = root.get("/nodes/pve1/lxc/12/status/current").await;
    assert_eq!(r.errors()["vmid"], "value must have a minimum value of 100");
    let r = root.get("/cluster/nextid?vmid=1000000000").await;
    assert_eq!(
        r.errors()["vmid"],
        "value must have a maximum value of 999999999"
    );
    let r = root
        .post("/access/users", &[("userid", "x"), ("password", "short")])
        .await;
    let e = r.errors();
    assert_eq!(
        e["userid"],
        "invalid format - value 'x' does not look like a valid user name"
    );
    assert_eq!(e["password"], "value must be at least 8 characters long");
    let r = root.post("/access/users/root@pam/token/1bad", &[]).await;
    assert_eq!(
        r.errors()["tokenid"],
        "value does not match the regex pattern"
    );
    let r = root.get("/nodes/pve1/storage/bad_storage!/content").await;
    assert!(r.errors()["storage"]
        .as_str()
        .unwrap()
        .starts_with("invalid format - storage ID 'bad_storage!' contains illegal characters"));
    let r = root
        .put(
            "/access/acl",
            &[
                ("path", "/vms/100"),
                ("roles", "PVEVMUser"),
                ("users", "nobody"),
            ],
        )
        .await;
    assert_eq!(
        r.errors()["users"],
        "invalid format - value 'nobody' does not look like a valid user name"
    );
    let r = root.get("/cluster/resources?type=vm&type=bogus").await;
    assert!(r.errors()["type"]
        .as_str()
        .unwrap()
        .starts_with("value 'bogus' does not have a value in the enumeration"));
}

#[tokio::test]
async fn validation_comes_after_authentication() {
    let sim = infra_support::start().await;
    let anon = Session::anonymous(&sim);
    let r = anon.get("/cluster/nextid?vmid=abc").await;
    assert_eq!(r.status, 401, "no ticket is checked before parameters");
    // The login method itself is validated without a ticket.
    let r = anon
        .post("/access/ticket", &[("username", "root@pam")])
        .await;
    assert_eq!(
        r.errors()["password"],
        "property is missing and it is not optional"
    );
}
