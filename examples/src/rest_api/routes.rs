//! The route table and one function per route: check the caller's right, call the core's
//! handles through the service account, shape the JSON as the 2016 spec did.

use std::net::SocketAddr;

use hyper::StatusCode;
use proxmox_api_core::api::{ContainerSpec, PerNode, Placement};
use proxmox_api_core::models::{AclSubject, ClusterResource, RrdConsolidation, RrdTimeframe};
use proxmox_api_core::Error;
use secrecy::ExposeSecret;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::error::{echo, ApiError};
use super::params::Params;
use super::{Gateway, ServiceLogin};

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Their PVE user id.
    pub userid: String,
    /// Whether they are in the administrators' group.
    pub admin: bool,
}

/// Every route the gateway answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Login,
    Renew,
    ListUsers,
    CreateUser,
    ChangePassword,
    DeleteUser,
    NodeStatus,
    Templates,
    Vnc,
    Graphics,
    Resources,
    DestroyLog,
    NextId,
    GetContainer,
    CreateContainer,
    DeleteContainer,
}

impl Route {
    /// The route for a path and method: 404 for an unknown path, 405 for a known path with
    /// another method. `OPTIONS` is kept where the spec listed it (it said "use REPORT").
    pub fn find(path: &str, method: &str) -> Result<Route, ApiError> {
        let route = match (path, method) {
            ("/login", "POST") => Route::Login,
            ("/login/renew", "POST") => Route::Renew,
            ("/user", "GET") => Route::ListUsers,
            ("/user", "POST") => Route::CreateUser,
            ("/user", "PUT") => Route::ChangePassword,
            ("/user", "DELETE") => Route::DeleteUser,
            ("/node", "REPORT" | "OPTIONS" | "GET") => Route::NodeStatus,
            ("/template", "GET") => Route::Templates,
            ("/utils/vnc", "GET") => Route::Vnc,
            ("/utils/graphic", "GET") => Route::Graphics,
            ("/cluster", "REPORT" | "OPTIONS") => Route::Resources,
            ("/cluster", "GET") => Route::DestroyLog,
            ("/cluster/nextid", "GET") => Route::NextId,
            ("/container", "GET") => Route::GetContainer,
            ("/container", "POST") => Route::CreateContainer,
            ("/container", "DELETE") => Route::DeleteContainer,
            (
                "/login" | "/login/renew" | "/user" | "/node" | "/template" | "/utils/vnc"
                | "/utils/graphic" | "/cluster" | "/cluster/nextid" | "/container",
                _,
            ) => return Err(ApiError::method_not_allowed()),
            _ => return Err(ApiError::not_found(format!("no route {}", echo(path)))),
        };
        Ok(route)
    }

    /// Every route but the login itself needs a session.
    pub fn needs_session(self) -> bool {
        self != Route::Login
    }
}

/// Runs `route`; `caller` is `Some` for every route that needs a session.
pub async fn run(
    gateway: &Gateway,
    route: Route,
    caller: Option<&Caller>,
    params: &Params,
    peer: SocketAddr,
) -> Result<(StatusCode, Value), ApiError> {
    let ok = |value| Ok((StatusCode::OK, value));
    let Some(caller) = caller else {
        return match route {
            Route::Login => ok(login(gateway, params, peer).await?),
            _ => Err(ApiError::unauthenticated("log in first")),
        };
    };
    match route {
        Route::Login => ok(login(gateway, params, peer).await?),
        Route::Renew => ok(renew(gateway, caller)),
        Route::ListUsers => ok(list_users(gateway, caller, params).await?),
        Route::CreateUser => ok(create_user(gateway, caller, params).await?),
        Route::ChangePassword => ok(change_password(gateway, caller, params, peer).await?),
        Route::DeleteUser => ok(delete_user(gateway, caller, params).await?),
        Route::NodeStatus => ok(per_node_json(gateway.service.nodes().status_all().await?)?),
        Route::Templates => ok(per_node_json(
            gateway.service.templates().per_node().await?,
        )?),
        Route::Vnc => ok(vnc(gateway, caller, params).await?),
        Route::Graphics => ok(graphics(gateway, caller, params).await?),
        Route::Resources => ok(resources(gateway, caller).await?),
        Route::DestroyLog => ok(destroy_log(gateway).await?),
        Route::NextId => ok(json!({ "data": gateway.service.cluster().next_id().await? })),
        Route::GetContainer => ok(get_container(gateway, caller, params).await?),
        Route::CreateContainer => ok(create_container(gateway, caller, params).await?),
        Route::DeleteContainer => ok(delete_container(gateway, caller, params).await?),
    }
}

// ---- identities ------------------------------------------------------------------------------

/// `name` (or `name@<realm>`) → `name@<realm>`, checked: PVE user names are at most 60
/// characters without whitespace, `:`, `/` or `@`; the gateway is stricter (letters, digits,
/// `-`, `_`, `.`) so that a name never needs quoting anywhere.
fn userid(gateway: &Gateway, parameter: &str, username: &str) -> Result<String, ApiError> {
    let realm = &gateway.config.realm;
    let name = match username.split_once('@') {
        None => username,
        Some((name, r)) if r == realm => name,
        Some(_) => {
            return Err(ApiError::invalid(
                parameter,
                format!(
                    "'{}': the gateway's users are in realm {realm}",
                    echo(username)
                ),
            ))
        }
    };
    let valid = !name.is_empty()
        && name.chars().count() <= 60
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return Err(ApiError::invalid(
            parameter,
            format!(
                "'{}' is not a user name: 1 to 60 letters, digits, '-', '_' or '.'",
                echo(username)
            ),
        ));
    }
    Ok(format!("{name}@{realm}"))
}

fn username_of<'a>(gateway: &Gateway, userid: &'a str) -> &'a str {
    userid
        .strip_suffix(&format!("@{}", gateway.config.realm))
        .unwrap_or(userid)
}

/// A user as the gateway shows them: never with a password or an internal id.
fn user_json(gateway: &Gateway, userid: &str, vmids: &[u32]) -> Value {
    json!({ "username": username_of(gateway, userid), "userid": userid, "machines": vmids })
}

// ---- sessions --------------------------------------------------------------------------------

/// `POST /login {username, password}`: the password goes to PVE (a login attempt, whether the
/// user exists or not, so both cost the same); only a session token comes back.
async fn login(gateway: &Gateway, params: &Params, peer: SocketAddr) -> Result<Value, ApiError> {
    let userid = userid(gateway, "username", &params.required("username")?)?;
    let password = params.required("password")?;
    if let Err(wait) = gateway.limiter.check(&userid, peer.ip()) {
        return Err(ApiError::too_many_attempts(wait));
    }
    match gateway.service.login_as(&userid, password).await {
        // The PVE ticket is dropped here: it never leaves the gateway.
        Ok(_ticket) => {}
        Err(Error::Authentication { .. }) | Err(Error::InvalidInput { .. }) => {
            gateway.limiter.failed(&userid, peer.ip());
            return Err(ApiError::unauthenticated("wrong user name or password"));
        }
        Err(Error::TfaRequired { .. }) => {
            return Err(ApiError::forbidden(
                "accounts with a second factor cannot log in through the gateway",
            ))
        }
        Err(other) => return Err(other.into()),
    }
    gateway.limiter.succeeded(&userid);
    let admin = gateway
        .is_member(&gateway.config.admins_group, &userid)
        .await?;
    let member = admin
        || gateway
            .is_member(&gateway.config.users_group, &userid)
            .await?;
    if userid == gateway.service_userid || !member {
        return Err(ApiError::forbidden(format!(
            "{userid} is not a member of group {} or {}",
            gateway.config.users_group, gateway.config.admins_group
        )));
    }
    Ok(session_json(gateway, &userid, admin))
}

fn session_json(gateway: &Gateway, userid: &str, admin: bool) -> Value {
    let issued = gateway.sessions.issue(userid);
    json!({
        "token": issued.token,
        "expires": issued.expires,
        "username": username_of(gateway, userid),
        "admin": admin,
    })
}

/// `POST /login/renew`: a fresh token for the caller of a valid one.
fn renew(gateway: &Gateway, caller: &Caller) -> Value {
    session_json(gateway, &caller.userid, caller.admin)
}

// ---- users -----------------------------------------------------------------------------------

fn require_admin(caller: &Caller) -> Result<(), ApiError> {
    if caller.admin {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only the gateway's administrators manage users",
        ))
    }
}

/// A user an administrator may change or delete: in the gateway's users' group, not an
/// administrator, not the service account, with no ACL entry outside `/vms/*`. 404 if missing.
async fn ensure_manageable(gateway: &Gateway, target: &str) -> Result<(), ApiError> {
    if target == gateway.service_userid {
        return Err(ApiError::forbidden(
            "the gateway's service account is not managed here",
        ));
    }
    let users = gateway.service.users();
    if !users.list().await?.iter().any(|u| u.userid == target) {
        return Err(ApiError::not_found(format!("no user {target}")));
    }
    if gateway
        .is_member(&gateway.config.admins_group, target)
        .await?
    {
        return Err(ApiError::forbidden(format!(
            "{target} is an administrator; manage administrators in Proxmox VE"
        )));
    }
    if !gateway
        .is_member(&gateway.config.users_group, target)
        .await?
    {
        return Err(ApiError::forbidden(format!(
            "{target} is not in group {}, so the gateway does not manage them",
            gateway.config.users_group
        )));
    }
    let elsewhere =
        users.acl().await?.into_iter().any(|e| {
            e.kind == AclSubject::User && e.ugid == target && !e.path.starts_with("/vms/")
        });
    if elsewhere {
        return Err(ApiError::forbidden(format!(
            "{target} holds permissions outside /vms; manage them in Proxmox VE"
        )));
    }
    Ok(())
}

/// `GET /user [{username}]`: administrators see every managed user (or one); anyone else only
/// themselves. Always a list, as in the spec.
async fn list_users(
    gateway: &Gateway,
    caller: &Caller,
    params: &Params,
) -> Result<Value, ApiError> {
    let users = gateway.service.users();
    let wanted = match params.string("username")? {
        Some(name) => Some(userid(gateway, "username", &name)?),
        None => None,
    };
    let listed: Vec<String> = match (wanted, caller.admin) {
        (Some(target), _) if target == caller.userid => vec![target],
        (Some(target), true) => {
            if !gateway
                .is_member(&gateway.config.users_group, &target)
                .await?
            {
                return Err(ApiError::not_found(format!("no managed user {target}")));
            }
            vec![target]
        }
        (Some(_), false) => {
            return Err(ApiError::forbidden("you may list only yourself"));
        }
        (None, true) => {
            gateway
                .directory
                .members(&gateway.config.users_group)
                .await?
        }
        (None, false) => vec![caller.userid.clone()],
    };
    let mut out = Vec::new();
    for userid in listed {
        out.push(user_json(gateway, &userid, &users.vmids(&userid).await?));
    }
    Ok(Value::Array(out))
}

/// `POST /user {username, password}` (administrators): a new user in the gateway's realm and group.
async fn create_user(
    gateway: &Gateway,
    caller: &Caller,
    params: &Params,
) -> Result<Value, ApiError> {
    require_admin(caller)?;
    let raw = params.required("username")?;
    if raw.contains('@') {
        return Err(ApiError::invalid(
            "username",
            format!(
                "give the user name without a realm; users are created in realm {}",
                gateway.config.realm
            ),
        ));
    }
    let target = userid(gateway, "username", &raw)?;
    let password = params.required("password")?;
    let users = gateway.service.users();
    if users.list().await?.iter().any(|u| u.userid == target) {
        return Err(ApiError::conflict(format!("user {target} already exists")));
    }
    let created = users
        .create(username_of(gateway, &target), password)
        .realm(&gateway.config.realm)
        .comment("managed by the proxmox-api REST gateway")
        .send()
        .await?;
    gateway
        .directory
        .add_member(&gateway.config.users_group, &created)
        .await?;
    Ok(user_json(gateway, &created, &[]))
}

/// `PUT /user {username, password[, current_password]}`: a user's own password (with the current
/// one; the gateway acts as that user), or an administrator's reset of a managed user (through
/// the service account, which confirms with its own password).
async fn change_password(
    gateway: &Gateway,
    caller: &Caller,
    params: &Params,
    peer: SocketAddr,
) -> Result<Value, ApiError> {
    let target = userid(gateway, "username", &params.required("username")?)?;
    let password = params.required("password")?;
    if target == caller.userid {
        let current = params.required("current_password")?;
        // The current password is checked by a PVE login: limit guesses like /login does.
        if let Err(wait) = gateway.limiter.check(&target, peer.ip()) {
            return Err(ApiError::too_many_attempts(wait));
        }
        let as_user = (gateway.user_client)(&target, &current)?;
        return match as_user
            .users()
            .set_password(&target, password, current)
            .await
        {
            Ok(()) => Ok(
                json!({ "message": "password changed", "username": username_of(gateway, &target) }),
            ),
            Err(Error::Authentication { .. }) => {
                gateway.limiter.failed(&target, peer.ip());
                Err(ApiError::invalid(
                    "current_password",
                    "'current_password' is not your current password",
                ))
            }
            Err(other) => Err(other.into()),
        };
    }
    require_admin(caller)?;
    ensure_manageable(gateway, &target).await?;
    let ServiceLogin::Password(service_password) = &gateway.service_login else {
        return Err(ApiError {
            status: StatusCode::FORBIDDEN,
            code: "SERVICE_USES_API_TOKEN",
            message:
                "this gateway logs in to Proxmox VE with an API token, and PVE refuses tokens \
                      on PUT /access/password: run the gateway with a user and password \
                      (PVE_USER/PVE_PASSWORD) to reset passwords; users can still change their own"
                    .into(),
            parameter: None,
        });
    };
    gateway
        .service
        .users()
        .set_password(&target, password, service_password.expose_secret())
        .await?;
    Ok(json!({ "message": "password changed", "username": username_of(gateway, &target) }))
}

/// `DELETE /user {username}` (administrators): a managed user and their ACL entries.
async fn delete_user(
    gateway: &Gateway,
    caller: &Caller,
    params: &Params,
) -> Result<Value, ApiError> {
    require_admin(caller)?;
    let target = userid(gateway, "username", &params.required("username")?)?;
    ensure_manageable(gateway, &target).await?;
    gateway.service.users().delete(&target).await?;
    Ok(json!({ "message": "user deleted", "username": username_of(gateway, &target) }))
}

// ---- containers ------------------------------------------------------------------------------

/// The caller's containers (ACL entries on `/vms/<id>`).
async fn owned_vmids(gateway: &Gateway, userid: &str) -> Result<Vec<u32>, ApiError> {
    Ok(gateway.service.users().vmids(userid).await?)
}

/// 404 unless `caller` holds an ACL entry on container `vmid`: a stranger's container and a
/// missing one answer the same, so ids cannot be probed.
async fn require_owned(gateway: &Gateway, caller: &Caller, vmid: u32) -> Result<(), ApiError> {
    if owned_vmids(gateway, &caller.userid).await?.contains(&vmid) {
        Ok(())
    } else {
        Err(ApiError::not_found(format!("you have no container {vmid}")))
    }
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

/// `GET /container {id}`: `{node: {"data": status}}` from the hosting node; or `{username}`:
/// `{node: {"data": [containers]}}` (the caller's own, or a managed user's for administrators).
async fn get_container(
    gateway: &Gateway,
    caller: &Caller,
    params: &Params,
) -> Result<Value, ApiError> {
    if let Some(vmid) = params.number("id")? {
        require_owned(gateway, caller, vmid).await?;
        let container = gateway.service.containers().get(vmid).await?;
        let mut data = to_json(&container.status)?;
        if let (Value::Object(fields), Some(name)) = (&mut data, &container.config.hostname) {
            fields.entry("name").or_insert_with(|| json!(name));
        }
        return Ok(json!({ container.node: { "data": data } }));
    }
    if let Some(name) = params.string("username")? {
        let target = userid(gateway, "username", &name)?;
        if target != caller.userid {
            require_admin(caller)?;
            ensure_manageable(gateway, &target).await?;
        }
        let mut by_node: Map<String, Value> = Map::new();
        for guest in gateway.service.users().containers(&target).await? {
            let entry = by_node
                .entry(guest.node.clone())
                .or_insert_with(|| json!({ "data": [] }));
            if let Some(list) = entry["data"].as_array_mut() {
                list.push(to_json(&guest)?);
            }
        }
        return Ok(Value::Object(by_node));
    }
    Err(ApiError::invalid("id", "give 'id' or 'username'"))
}

/// `POST /container`: creates a container owned by the caller (or, for an administrator, by a
/// managed `username`), waits for the creation and grants the owner access.
async fn create_container(
    gateway: &Gateway,
    caller: &Caller,
    params: &Params,
) -> Result<Value, ApiError> {
    let owner = match params.string("username")? {
        Some(name) => userid(gateway, "username", &name)?,
        None => caller.userid.clone(),
    };
    if owner != caller.userid {
        require_admin(caller)?;
        ensure_manageable(gateway, &owner).await?;
    }
    let mut spec = ContainerSpec::builder()
        .hostname(params.required("hostname")?)
        .template(params.required("template")?)
        .owner(owner.clone());
    if let Some(storage) = params.string("storage")? {
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
    if let Some(ostype) = params.string("ostype")? {
        spec = spec.ostype(ostype);
    }
    if let Some(node) = params.string("node")? {
        spec = spec.node(node);
    }
    if let Some(placement) = params.string("placement")? {
        spec = spec.placement(match placement.as_str() {
            "most-free-memory" => Placement::MostFreeMemory,
            "least-load" => Placement::LeastLoad,
            "most-free-disk" => Placement::MostFreeDisk,
            other => {
                return Err(ApiError::invalid(
                    "placement",
                    format!(
                        "'{}': use most-free-memory, least-load or most-free-disk",
                        echo(other)
                    ),
                ))
            }
        });
    }
    // Root access is an SSH key (preferred) and/or a root password chosen by the owner; the
    // gateway never makes one up, so it never has one to return.
    let key = params.string("ssh_public_key")?;
    let root_password = params.string("root_password")?;
    if key.is_none() && root_password.is_none() {
        return Err(ApiError::invalid(
            "ssh_public_key",
            "give 'ssh_public_key' (preferred) and/or 'root_password' for the container's root account",
        ));
    }
    if let Some(key) = key {
        spec = spec.ssh_public_key(key);
    }
    if let Some(password) = root_password {
        if owner != caller.userid {
            return Err(ApiError::invalid(
                "root_password",
                "only the owner may set a root password for their own container; give 'ssh_public_key'",
            ));
        }
        refuse_own_login_password(gateway, &caller.userid, &password).await?;
        spec = spec.password(password);
    }
    let created = gateway
        .service
        .containers()
        .create(spec.build()?)
        .send()
        .await?;
    let upid = created.task.upid().to_string();
    created.task.wait().await?;
    Ok(json!({ "id": created.vmid, "node": created.node, "upid": upid }))
}

/// Refuses a root password that is the caller's own login password (a PVE login with it
/// succeeds). Only an authenticated caller gets here, about their own password, so the answer
/// is no oracle: they could log in with it anyway.
async fn refuse_own_login_password(
    gateway: &Gateway,
    userid: &str,
    password: &str,
) -> Result<(), ApiError> {
    match gateway.service.login_as(userid, password).await {
        Ok(_ticket) => Err(ApiError::invalid(
            "root_password",
            "'root_password' must not be your login password",
        )),
        Err(Error::Authentication { .. }) | Err(Error::TfaRequired { .. }) => Ok(()),
        Err(other) => Err(other.into()),
    }
}

/// `DELETE /container {id}`: destroys the caller's container (stopping it first) and waits.
async fn delete_container(
    gateway: &Gateway,
    caller: &Caller,
    params: &Params,
) -> Result<Value, ApiError> {
    let vmid = params.vmid()?;
    require_owned(gateway, caller, vmid).await?;
    let task = gateway
        .service
        .containers()
        .handle(vmid)
        .await?
        .delete()
        .await?;
    let outcome = task.wait().await?;
    Ok(json!({
        "message": "Machine status changed to destroy",
        "id": vmid,
        "upid": outcome.upid.to_string(),
    }))
}

/// `GET /utils/vnc {id}`: the caller's container's noVNC console URL.
async fn vnc(gateway: &Gateway, caller: &Caller, params: &Params) -> Result<Value, ApiError> {
    let vmid = params.vmid()?;
    require_owned(gateway, caller, vmid).await?;
    let container = gateway.service.containers().get(vmid).await?;
    let name = container
        .config
        .hostname
        .unwrap_or_else(|| format!("CT{vmid}"));
    Ok(json!({ "url": gateway.service.console_url(&container.node, vmid, &name) }))
}

/// `GET /utils/graphic {id[, timeframe]}`: the caller's container's graph data by node.
async fn graphics(gateway: &Gateway, caller: &Caller, params: &Params) -> Result<Value, ApiError> {
    let vmid = params.vmid()?;
    let timeframe = match params.string("timeframe")?.as_deref().unwrap_or("hour") {
        "hour" => RrdTimeframe::Hour,
        "day" => RrdTimeframe::Day,
        "week" => RrdTimeframe::Week,
        "month" => RrdTimeframe::Month,
        "year" => RrdTimeframe::Year,
        other => {
            return Err(ApiError::invalid(
                "timeframe",
                format!("'{}': use hour, day, week, month or year", echo(other)),
            ))
        }
    };
    require_owned(gateway, caller, vmid).await?;
    let container = gateway.service.containers().handle(vmid).await?;
    let points = container
        .rrddata(timeframe, RrdConsolidation::Average)
        .await?;
    Ok(json!({ container.node(): { "data": to_json(&points)? } }))
}

/// `REPORT /cluster`: nodes and storage, and of the guests only the caller's own.
async fn resources(gateway: &Gateway, caller: &Caller) -> Result<Value, ApiError> {
    let mine = owned_vmids(gateway, &caller.userid).await?;
    let mut out = Vec::new();
    for resource in gateway.service.cluster().resources(None).await? {
        let kind = resource.kind().to_owned();
        let mut value = match &resource {
            ClusterResource::Node(node) => to_json(node)?,
            ClusterResource::Lxc(guest) | ClusterResource::Qemu(guest) => {
                if !mine.contains(&guest.vmid) {
                    continue;
                }
                to_json(guest)?
            }
            ClusterResource::Storage(storage) => to_json(storage)?,
            // Pools, SDN zones and the like say nothing a caller needs.
            ClusterResource::Other(_) => continue,
        };
        if let Value::Object(fields) = &mut value {
            fields.insert("type".into(), Value::String(kind));
        }
        out.push(value);
    }
    Ok(json!({ "data": out }))
}

/// `GET /cluster`: every container destruction in the task history, newest first, with `date`.
async fn destroy_log(gateway: &Gateway) -> Result<Value, ApiError> {
    let records = gateway.service.cluster().destroy_log().await?;
    Ok(Value::Array(
        records
            .into_iter()
            .map(|r| {
                json!({
                    "destroy": r.vmid.to_string(),
                    "date": iso_date(r.end.unwrap_or(r.start)),
                    "node": r.node,
                    "succeeded": r.outcome.succeeded(),
                })
            })
            .collect(),
    ))
}

/// Unix seconds as `2016-08-03T15:18:07.000Z`, the spec's `date` format.
fn iso_date(unix: i64) -> String {
    crate::utc_time(unix).replacen(' ', "T", 1) + ".000Z"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_look_like_the_spec() {
        assert_eq!(iso_date(1_470_237_487), "2016-08-03T15:18:07.000Z");
    }

    #[test]
    fn every_spec_path_is_routed() {
        for (path, method) in [
            ("/user", "GET"),
            ("/user", "POST"),
            ("/user", "PUT"),
            ("/user", "DELETE"),
            ("/node", "REPORT"),
            ("/template", "GET"),
            ("/utils/vnc", "GET"),
            ("/utils/graphic", "GET"),
            ("/cluster", "REPORT"),
            ("/cluster", "GET"),
            ("/cluster/nextid", "GET"),
            ("/container", "GET"),
            ("/container", "POST"),
            ("/container", "DELETE"),
        ] {
            assert!(Route::find(path, method).is_ok(), "{method} {path}");
        }
        assert_eq!(Route::find("/user", "PATCH").unwrap_err().status, 405);
        assert_eq!(Route::find("/nowhere", "GET").unwrap_err().status, 404);
    }
}
