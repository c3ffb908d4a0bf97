//! One function per route: read the parameters, call the core's handles, shape the JSON.

use proxmox_api_core::api::{ContainerSpec, PerNode, Placement};
use proxmox_api_core::models::{ClusterResource, RrdConsolidation, RrdTimeframe};
use proxmox_api_core::Client;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{ApiError, Params};

/// The realm the service's users live in: PVE keeps their passwords itself.
const REALM: &str = "pve";

/// `name` → `name@pve`; a full user id in realm `pve` is accepted as is.
fn userid(username: &str) -> Result<String, ApiError> {
    match username.split_once('@') {
        None => Ok(format!("{username}@{REALM}")),
        Some((_, REALM)) => Ok(username.to_owned()),
        Some(_) => Err(ApiError::bad_request(format!(
            "'{username}': this service manages only users of realm {REALM}"
        ))),
    }
}

/// A user as this service shows it: never with a password.
fn user_json(userid: &str, vmids: &[u32]) -> Value {
    let username = userid.strip_suffix(&format!("@{REALM}")).unwrap_or(userid);
    json!({ "username": username, "userid": userid, "machines": vmids })
}

/// `GET /user[?username=]`: every `pve` user with their machines, or one user.
pub async fn list_users(client: &Client, params: &Params) -> Result<Value, ApiError> {
    let users = client.users();
    if let Some(username) = params.string("username") {
        let user = users.get(&userid(&username)?).await?;
        return Ok(user_json(&user.userid, &user.vmids));
    }
    let mut out = Vec::new();
    for entry in users.list().await? {
        if entry.userid.ends_with(&format!("@{REALM}")) {
            out.push(user_json(&entry.userid, &users.vmids(&entry.userid).await?));
        }
    }
    Ok(Value::Array(out))
}

/// `POST /user {username, password}`.
pub async fn create_user(client: &Client, params: &Params) -> Result<Value, ApiError> {
    let username = params.required("username")?;
    if username.contains('@') {
        return Err(ApiError::bad_request(
            "give the username without a realm; users are created in realm pve",
        ));
    }
    let password = params.required("password")?;
    let userid = client.users().create(&username, password).send().await?;
    Ok(user_json(&userid, &[]))
}

/// `PUT /user {username, password}`: the new password.
pub async fn change_password(client: &Client, params: &Params) -> Result<Value, ApiError> {
    let userid = userid(&params.required("username")?)?;
    let password = params.required("password")?;
    client.users().set_password(&userid, password).await?;
    Ok(json!({ "message": "password changed", "userid": userid }))
}

/// `DELETE /user {username}`: the user and their ACL entries; their containers stay.
pub async fn delete_user(client: &Client, params: &Params) -> Result<Value, ApiError> {
    let userid = userid(&params.required("username")?)?;
    client.users().delete(&userid).await?;
    Ok(json!({ "message": "user deleted", "userid": userid }))
}

/// A fan-out's results as `{node: {"data": ..}}` or `{node: {"error": {code, message}}}`.
fn per_node_json<T: Serialize>(results: PerNode<T>) -> Result<Value, ApiError> {
    let mut out = Map::new();
    for (node, result) in results {
        let entry = match result {
            Ok(data) => json!({ "data": to_json(&data)? }),
            Err(e) => json!({ "error": { "code": e.code(), "message": e.to_string() } }),
        };
        out.insert(node, entry);
    }
    Ok(Value::Object(out))
}

fn to_json<T: Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::internal(e.to_string()))
}

/// `GET|REPORT /node`: every node's status, asked of all nodes at once.
pub async fn node_status(client: &Client) -> Result<Value, ApiError> {
    per_node_json(client.nodes().status_all().await?)
}

/// `GET /template`: each node's container templates.
pub async fn templates(client: &Client) -> Result<Value, ApiError> {
    per_node_json(client.templates().per_node().await?)
}

/// `GET /container?id=` (one container, from the node hosting it) or `?username=` (the user's
/// containers).
pub async fn get_container(client: &Client, params: &Params) -> Result<Value, ApiError> {
    if let Some(vmid) = params.number("id")? {
        let container = client.containers().get(vmid).await?;
        return Ok(json!({
            "id": container.vmid,
            "node": container.node,
            "status": to_json(&container.status)?,
            "config": to_json(&container.config)?,
        }));
    }
    if let Some(username) = params.string("username") {
        return to_json(&client.users().containers(&userid(&username)?).await?);
    }
    Err(ApiError::bad_request("give 'id' or 'username'"))
}

/// `POST /container`: creates a container on `node` or where the placement policy puts it,
/// waits for the creation and grants `username` access to it.
pub async fn create_container(client: &Client, params: &Params) -> Result<Value, ApiError> {
    let mut spec = ContainerSpec::builder()
        .hostname(params.required("hostname")?)
        .template(params.required("template")?);
    if let Some(storage) = params.string("storage") {
        spec = spec.storage(storage);
    }
    if let Some(cores) = params.number("cpu")? {
        spec = spec.cores(cores);
    }
    if let Some(memory) = params.number("memory")? {
        spec = spec.memory_mib(memory);
    }
    if let Some(swap) = params.number("swap")? {
        spec = spec.swap_mib(swap);
    }
    if let Some(disk) = params.number("disk")? {
        spec = spec.disk_gib(disk);
    }
    if let Some(ostype) = params.string("ostype") {
        spec = spec.ostype(ostype);
    }
    if let Some(node) = params.string("node") {
        spec = spec.node(node);
    }
    if let Some(username) = params.string("username") {
        spec = spec.owner(userid(&username)?);
    }
    if let Some(placement) = params.string("placement") {
        spec = spec.placement(match placement.as_str() {
            "most-free-memory" => Placement::MostFreeMemory,
            "least-load" => Placement::LeastLoad,
            "most-free-disk" => Placement::MostFreeDisk,
            other => {
                return Err(ApiError::bad_request(format!(
                    "placement '{other}': use most-free-memory, least-load or most-free-disk"
                )))
            }
        });
    }
    // Root access is an SSH key and/or a root password chosen by the caller; this service never
    // makes up a password, so it never has one to return.
    let key = params.string("ssh_public_key");
    let root_password = params.string("root_password");
    if key.is_none() && root_password.is_none() {
        return Err(ApiError::bad_request(
            "give 'ssh_public_key' and/or 'root_password' for the container's root account",
        ));
    }
    if let Some(key) = key {
        spec = spec.ssh_public_key(key);
    }
    if let Some(password) = root_password {
        if let Some(owner) = params.string("username") {
            refuse_owner_login_password(client, &userid(&owner)?, &password).await?;
        }
        spec = spec.password(password);
    }
    let created = client.containers().create(spec.build()?).send().await?;
    let upid = created.task.upid().to_string();
    created.task.wait().await?;
    Ok(json!({ "id": created.vmid, "node": created.node, "upid": upid }))
}

/// `DELETE /container {id}`: destroys it (stopping it first) and waits for the destruction.
pub async fn delete_container(client: &Client, params: &Params) -> Result<Value, ApiError> {
    let vmid = params
        .number("id")?
        .ok_or_else(|| ApiError::bad_request("missing parameter 'id'"))?;
    let task = client.containers().handle(vmid).await?.delete().await?;
    let outcome = task.wait().await?;
    Ok(json!({
        "message": "container destroyed",
        "id": vmid,
        "upid": outcome.upid.to_string(),
    }))
}

/// `GET /vnc?id=`: the container's noVNC console URL.
pub async fn vnc(client: &Client, params: &Params) -> Result<Value, ApiError> {
    let vmid = required_id(params)?;
    let container = client.containers().get(vmid).await?;
    let name = container
        .config
        .hostname
        .unwrap_or_else(|| format!("CT{vmid}"));
    Ok(json!({ "url": client.console_url(&container.node, vmid, &name) }))
}

/// `GET /graphics?id=[&timeframe=hour|day|week|month|year]`: the container's graph data.
pub async fn graphics(client: &Client, params: &Params) -> Result<Value, ApiError> {
    let vmid = required_id(params)?;
    let timeframe = match params.string("timeframe").as_deref().unwrap_or("hour") {
        "hour" => RrdTimeframe::Hour,
        "day" => RrdTimeframe::Day,
        "week" => RrdTimeframe::Week,
        "month" => RrdTimeframe::Month,
        "year" => RrdTimeframe::Year,
        other => {
            return Err(ApiError::bad_request(format!(
                "timeframe '{other}': use hour, day, week, month or year"
            )))
        }
    };
    let container = client.containers().handle(vmid).await?;
    let points = container
        .rrddata(timeframe, RrdConsolidation::Average)
        .await?;
    Ok(json!({ container.node(): { "data": to_json(&points)? } }))
}

/// `GET /resources`: every node, guest and storage in the cluster.
pub async fn resources(client: &Client) -> Result<Value, ApiError> {
    let mut out = Vec::new();
    for resource in client.cluster().resources(None).await? {
        let kind = resource.kind().to_owned();
        let mut value = match &resource {
            ClusterResource::Node(node) => to_json(node)?,
            ClusterResource::Lxc(guest) | ClusterResource::Qemu(guest) => to_json(guest)?,
            ClusterResource::Storage(storage) => to_json(storage)?,
            ClusterResource::Other(value) => value.clone(),
        };
        if let Value::Object(fields) = &mut value {
            fields.insert("type".into(), Value::String(kind));
        }
        out.push(value);
    }
    Ok(json!({ "data": out }))
}

/// `GET /destroyed`: every container destruction in the task history, newest first.
pub async fn destroyed(client: &Client) -> Result<Value, ApiError> {
    let records = client.cluster().destroy_log().await?;
    Ok(Value::Array(
        records
            .into_iter()
            .map(|r| {
                json!({
                    "destroy": r.vmid,
                    "node": r.node,
                    "user": r.user,
                    "start": r.start,
                    "end": r.end,
                    "succeeded": r.outcome.succeeded(),
                    "outcome": format!("{:?}", r.outcome),
                })
            })
            .collect(),
    ))
}

fn required_id(params: &Params) -> Result<u32, ApiError> {
    params
        .number("id")?
        .ok_or_else(|| ApiError::bad_request("missing parameter 'id'"))
}

/// Refuses a root password that is also the owner's Proxmox login password: if logging in as the
/// owner with it succeeds, the container would share the owner's credentials. Any answer other than
/// "authentication failed" (e.g. an unknown owner) is passed on.
async fn refuse_owner_login_password(
    client: &Client,
    owner: &str,
    password: &str,
) -> Result<(), ApiError> {
    match client.login_as(owner, password).await {
        Ok(_session) => Err(ApiError::bad_request(
            "root_password must not be the owner's login password",
        )),
        Err(proxmox_api_core::Error::Authentication { .. }) => Ok(()),
        Err(other) => Err(other.into()),
    }
}
