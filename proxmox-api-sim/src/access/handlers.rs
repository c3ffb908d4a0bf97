//! Handlers of the `/access/...` methods and `/version`.

use std::collections::BTreeMap;

use http::Method;
use serde_json::{json, Map, Value};

use super::crypto::{uuid_v4, PasswordHash};
use super::roles::{self, PrivSet};
use super::{
    groups, password, realms, tfa, totp, AccessState, AclEntry, AclKind, Token, User, ROOT,
};
use crate::api_error::{ApiError, Reply};
use crate::call::{Call, Caller};
use crate::state::SimState;

/// Realms the simulator knows.
const REALMS: &[&str] = &["pam", "pve"];

pub fn dispatch(state: &mut SimState, call: &Call) -> Option<Reply> {
    let now = state.clock.unix();
    let access = &mut state.access;
    let reply = match (&call.method, call.template.as_str()) {
        (&Method::GET, "/version") => Ok(crate::cluster::version_info()),
        (&Method::GET, "/access/ticket") => Ok(Value::Null),
        (&Method::POST, "/access/ticket") => login(access, call, now),
        (&Method::GET, "/access/users") => list_users(access, call),
        (&Method::POST, "/access/users") => create_user(access, call),
        (&Method::GET, "/access/users/{userid}") => get_user(access, call),
        (&Method::PUT, "/access/users/{userid}") => update_user(access, call),
        (&Method::DELETE, "/access/users/{userid}") => delete_user(access, call),
        (&Method::GET, "/access/users/{userid}/token") => list_tokens(access, call),
        (&Method::GET, "/access/users/{userid}/token/{tokenid}") => get_token(access, call),
        (&Method::POST, "/access/users/{userid}/token/{tokenid}") => create_token(access, call),
        (&Method::PUT, "/access/users/{userid}/token/{tokenid}") => update_token(access, call),
        (&Method::DELETE, "/access/users/{userid}/token/{tokenid}") => delete_token(access, call),
        (&Method::PUT, "/access/password") => password::change(access, call, now),
        (&Method::GET, "/access/groups") => caller(call).and_then(|c| groups::list(access, c)),
        (&Method::POST, "/access/groups") => groups::create(access, call),
        (&Method::GET, "/access/groups/{groupid}") => groups::get(access, call),
        (&Method::PUT, "/access/groups/{groupid}") => groups::update(access, call),
        (&Method::DELETE, "/access/groups/{groupid}") => groups::delete(access, call),
        (&Method::GET, "/access/acl") => list_acl(access, call),
        (&Method::PUT, "/access/acl") => update_acl(access, call),
        (&Method::GET, "/access/roles") => Ok(list_roles()),
        (&Method::GET, "/access/roles/{roleid}") => realms::role(call),
        (&Method::GET, "/access/domains") => realms::list(&access.realms),
        (&Method::GET, "/access/domains/{realm}") => realms::get(&access.realms, call),
        (&Method::PUT, "/access/domains/{realm}") => realms::update(&mut access.realms, call),
        (&Method::GET, "/access/tfa") => caller(call).and_then(|c| tfa::list(access, c)),
        (&Method::GET, "/access/tfa/{userid}") => tfa::list_user(access, call),
        (&Method::POST, "/access/tfa/{userid}") => tfa::add(access, call, now),
        (&Method::GET, "/access/tfa/{userid}/{id}") => tfa::get(access, call),
        (&Method::PUT, "/access/tfa/{userid}/{id}") => tfa::update(access, call),
        (&Method::DELETE, "/access/tfa/{userid}/{id}") => tfa::delete(access, call),
        (&Method::GET, "/access/permissions") => permissions(access, call),
        _ => return None,
    };
    Some(reply)
}

fn caller(call: &Call) -> Result<&Caller, ApiError> {
    call.caller
        .as_ref()
        .ok_or_else(|| ApiError::new(401, "No ticket"))
}

fn auth_failure() -> ApiError {
    ApiError::new(401, "authentication failure")
}

// ---- tickets -------------------------------------------------------------------------------

fn login(access: &mut AccessState, call: &Call, now: i64) -> Reply {
    let mut username = call.required("username")?.to_owned();
    if !username.contains('@') {
        match call.str("realm") {
            Some(realm) => username = format!("{username}@{realm}"),
            None => return Err(auth_failure()),
        }
    }
    let password = call.required("password")?;
    let user = access
        .users
        .get(&username)
        .filter(|u| u.active(now))
        .ok_or_else(auth_failure)?;

    if let Some(challenge) = call.str("tfa-challenge") {
        if !access.keys.verify_tfa(challenge, &username, now) {
            return Err(auth_failure());
        }
        let factor = user
            .totp
            .as_ref()
            .filter(|f| f.enable)
            .ok_or_else(auth_failure)?;
        if let Some(code) = password.strip_prefix("totp:") {
            if !totp::verify(&factor.secret, code, now) {
                return Err(auth_failure());
            }
        } else if let Some(code) = password.strip_prefix("recovery:") {
            let code = code.trim().to_owned();
            let user = access.users.get_mut(&username).ok_or_else(auth_failure)?;
            let factor = user.totp.as_mut().ok_or_else(auth_failure)?;
            let Some(pos) = factor.recovery.iter().position(|c| *c == code) else {
                return Err(auth_failure());
            };
            factor.recovery.remove(pos);
        } else {
            return Err(auth_failure());
        }
        return Ok(ticket_reply(access, &username, now));
    }

    // Renewal: the current ticket as the password.
    if password.starts_with("PVE:") {
        return match access.keys.verify(password, now) {
            Some(owner) if owner == username => Ok(ticket_reply(access, &username, now)),
            _ => Err(auth_failure()),
        };
    }

    let ok = user.password.as_ref().is_some_and(|h| h.verify(password));
    if !ok {
        return Err(auth_failure());
    }
    if let Some(factor) = user.totp.as_ref().filter(|f| f.enable) {
        let challenge = json!({"totp": true, "recovery": factor.recovery.len()}).to_string();
        let ticket = access.keys.issue_tfa(&username, &challenge, now);
        return Ok(json!({
            "username": username,
            "ticket": ticket,
            "CSRFPreventionToken": access.keys.csrf(&username, now),
            "NeedTFA": 1,
        }));
    }
    Ok(ticket_reply(access, &username, now))
}

fn ticket_reply(access: &AccessState, userid: &str, now: i64) -> Value {
    json!({
        "username": userid,
        "ticket": access.keys.issue(userid, now),
        "CSRFPreventionToken": access.keys.csrf(userid, now),
        "clustername": crate::cluster::CLUSTER_NAME,
        "cap": capabilities(access, userid),
    })
}

/// The `cap` map the web UI uses: per area, the privileges held anywhere in it.
fn capabilities(access: &AccessState, userid: &str) -> Value {
    let caller = Caller {
        userid: userid.to_owned(),
        tokenid: None,
    };
    let areas: [(&str, &str, &[&str]); 7] = [
        ("vms", "/vms", &["VM."]),
        ("storage", "/storage", &["Datastore."]),
        ("access", "/access", &["User.", "Group.", "Realm."]),
        ("nodes", "/nodes", &["Sys."]),
        ("sdn", "/sdn", &["SDN."]),
        ("dc", "/", &["Sys.Audit", "SDN.", "Sys.Modify"]),
        ("mapping", "/mapping", &["Mapping."]),
    ];
    let mut cap = Map::new();
    for (name, root, prefixes) in areas {
        let mut held = access.privileges(&caller, root);
        for entry in access.acl.iter().filter(|e| e.ugid == userid) {
            if entry.path.starts_with(root) {
                held = held.union(access.privileges(&caller, &entry.path));
            }
        }
        let privs: Map<String, Value> = held
            .names()
            .filter(|p| prefixes.iter().any(|x| p.starts_with(x)) || *p == "Permissions.Modify")
            .map(|p| (p.to_owned(), json!(1)))
            .collect();
        cap.insert(name.to_owned(), Value::Object(privs));
    }
    Value::Object(cap)
}

// ---- users ---------------------------------------------------------------------------------

fn user_summary(access: &AccessState, user: &User, full: bool) -> Value {
    let mut m = Map::new();
    m.insert("userid".into(), json!(user.userid));
    m.insert("enable".into(), json!(user.enable as u8));
    m.insert("expire".into(), json!(user.expire));
    m.insert("realm-type".into(), json!(user.realm()));
    insert_opt(&mut m, "firstname", &user.firstname);
    insert_opt(&mut m, "lastname", &user.lastname);
    insert_opt(&mut m, "email", &user.email);
    insert_opt(&mut m, "comment", &user.comment);
    if full {
        let tokens: Vec<Value> = user
            .tokens
            .iter()
            .map(|(name, t)| token_info(Some(name), t))
            .collect();
        m.insert("tokens".into(), Value::Array(tokens));
        let groups: Vec<&str> = access.groups_of(&user.userid).collect();
        m.insert("groups".into(), json!(groups.join(",")));
    }
    Value::Object(m)
}

fn insert_opt(m: &mut Map<String, Value>, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        m.insert(key.to_owned(), json!(v));
    }
}

/// The privileges that let a caller see other users.
const SEE_USERS: [&str; 2] = ["User.Modify", "Sys.Audit"];

fn can_see_users(access: &AccessState, caller: &Caller) -> bool {
    let p = access.privileges(caller, "/access/groups");
    SEE_USERS.iter().any(|x| p.has(x))
}

/// `GET /access/users` shows every user to whoever may see `/access/groups`, the members of
/// the groups the caller may see otherwise, and always the caller.
fn visible_users(
    access: &AccessState,
    caller: &Caller,
) -> Option<std::collections::BTreeSet<String>> {
    if can_see_users(access, caller) {
        return None;
    }
    let mut visible: std::collections::BTreeSet<String> =
        groups::groups_with_any(access, caller, &SEE_USERS)
            .filter_map(|g| access.groups.get(g))
            .flat_map(|g| g.members.iter().cloned())
            .collect();
    visible.insert(caller.userid.clone());
    Some(visible)
}

fn list_users(access: &AccessState, call: &Call) -> Reply {
    let caller = caller(call)?;
    let visible = visible_users(access, caller);
    let full = call.bool("full").unwrap_or(false);
    let enabled = call.bool("enabled");
    let list: Vec<Value> = access
        .users
        .values()
        .filter(|u| visible.as_ref().is_none_or(|v| v.contains(&u.userid)))
        .filter(|u| enabled.is_none_or(|e| u.enable == e))
        .map(|u| user_summary(access, u, full))
        .collect();
    Ok(Value::Array(list))
}

fn check_realm(userid: &str) -> Result<(), ApiError> {
    let realm = userid.rsplit_once('@').map(|(_, r)| r).unwrap_or("");
    if REALMS.contains(&realm) {
        Ok(())
    } else {
        Err(ApiError::internal(format!(
            "auth domain '{realm}' does not exist"
        )))
    }
}

fn apply_user_fields(user: &mut User, call: &Call) {
    for (key, slot) in [
        ("firstname", &mut user.firstname),
        ("lastname", &mut user.lastname),
        ("email", &mut user.email),
        ("comment", &mut user.comment),
    ] {
        if let Some(v) = call.str(key) {
            *slot = (!v.is_empty()).then(|| v.to_owned());
        }
    }
    if let Some(e) = call.bool("enable") {
        user.enable = e;
    }
    if let Some(e) = call.int("expire") {
        user.expire = e;
    }
}

fn create_user(access: &mut AccessState, call: &Call) -> Reply {
    let userid = call.required("userid")?;
    check_realm(userid)?;
    if access.users.keys().any(|u| u.eq_ignore_ascii_case(userid)) {
        return Err(ApiError::internal(format!(
            "user '{userid}' already exists"
        )));
    }
    let mut user = User::new(userid, call.str("password").map(PasswordHash::new));
    apply_user_fields(&mut user, call);
    let member_of = split_list(call.str("groups"));
    groups::set_membership(access, userid, &member_of, false)?;
    access.users.insert(userid.to_owned(), user);
    Ok(Value::Null)
}

fn no_such_user(userid: &str) -> ApiError {
    ApiError::internal(format!("no such user ('{userid}')"))
}

fn get_user(access: &AccessState, call: &Call) -> Reply {
    let userid = call.required("userid")?;
    let user = access
        .users
        .get(userid)
        .ok_or_else(|| no_such_user(userid))?;
    let mut m = Map::new();
    m.insert("enable".into(), json!(user.enable as u8));
    m.insert("expire".into(), json!(user.expire));
    insert_opt(&mut m, "firstname", &user.firstname);
    insert_opt(&mut m, "lastname", &user.lastname);
    insert_opt(&mut m, "email", &user.email);
    insert_opt(&mut m, "comment", &user.comment);
    let member_of: Vec<&str> = access.groups_of(userid).collect();
    m.insert("groups".into(), json!(member_of));
    let tokens: Map<String, Value> = user
        .tokens
        .iter()
        .map(|(name, t)| (name.clone(), token_info(None, t)))
        .collect();
    m.insert("tokens".into(), Value::Object(tokens));
    Ok(Value::Object(m))
}

fn update_user(access: &mut AccessState, call: &Call) -> Reply {
    let userid = call.required("userid")?;
    if !access.users.contains_key(userid) {
        return Err(no_such_user(userid));
    }
    // PVE: a `groups` parameter (even empty) replaces the membership unless `append` is set.
    if let Some(list) = call.str("groups") {
        let append = call.bool("append").unwrap_or(false);
        groups::set_membership(access, userid, &split_list(Some(list)), !append)?;
    }
    let user = access
        .users
        .get_mut(userid)
        .ok_or_else(|| no_such_user(userid))?;
    apply_user_fields(user, call);
    for key in call.str("delete").unwrap_or("").split([',', ';', ' ']) {
        match key {
            "firstname" => user.firstname = None,
            "lastname" => user.lastname = None,
            "email" => user.email = None,
            "comment" => user.comment = None,
            _ => {}
        }
    }
    Ok(Value::Null)
}

fn delete_user(access: &mut AccessState, call: &Call) -> Reply {
    let userid = call.required("userid")?;
    if userid == ROOT {
        return Err(ApiError::internal("can't delete 'root@pam' user"));
    }
    if access.users.remove(userid).is_none() {
        return Err(no_such_user(userid));
    }
    let token_prefix = format!("{userid}!");
    access.acl.retain(|e| {
        e.kind == AclKind::Group || (e.ugid != userid && !e.ugid.starts_with(&token_prefix))
    });
    for group in access.groups.values_mut() {
        group.members.remove(userid);
    }
    Ok(Value::Null)
}

// ---- tokens --------------------------------------------------------------------------------

fn token_info(name: Option<&str>, t: &Token) -> Value {
    let mut m = Map::new();
    if let Some(n) = name {
        m.insert("tokenid".into(), json!(n));
    }
    m.insert("privsep".into(), json!(t.privsep as u8));
    m.insert("expire".into(), json!(t.expire));
    insert_opt(&mut m, "comment", &t.comment);
    Value::Object(m)
}

fn user_of<'a>(access: &'a mut AccessState, call: &Call) -> Result<&'a mut User, ApiError> {
    let userid = call.required("userid")?;
    access
        .users
        .get_mut(userid)
        .ok_or_else(|| no_such_user(userid))
}

fn no_such_token(userid: &str, tokenid: &str) -> ApiError {
    ApiError::internal(format!("no such token '{tokenid}' for user '{userid}'"))
}

fn list_tokens(access: &mut AccessState, call: &Call) -> Reply {
    let user = user_of(access, call)?;
    Ok(Value::Array(
        user.tokens
            .iter()
            .map(|(n, t)| token_info(Some(n), t))
            .collect(),
    ))
}

fn get_token(access: &mut AccessState, call: &Call) -> Reply {
    let tokenid = call.required("tokenid")?.to_owned();
    let user = user_of(access, call)?;
    let token = user
        .tokens
        .get(&tokenid)
        .ok_or_else(|| no_such_token(&user.userid, &tokenid))?;
    Ok(token_info(None, token))
}

fn create_token(access: &mut AccessState, call: &Call) -> Reply {
    let tokenid = call.required("tokenid")?.to_owned();
    let user = user_of(access, call)?;
    if user.tokens.contains_key(&tokenid) {
        return Err(ApiError::internal("Token already exists."));
    }
    let value = uuid_v4();
    let token = Token {
        comment: call.str("comment").map(str::to_owned),
        expire: call.int("expire").unwrap_or(user.expire),
        privsep: call.bool("privsep").unwrap_or(true),
        secret: PasswordHash::new(&value),
    };
    let info = token_info(None, &token);
    let full = format!("{}!{}", user.userid, tokenid);
    user.tokens.insert(tokenid, token);
    Ok(json!({"full-tokenid": full, "info": info, "value": value}))
}

fn update_token(access: &mut AccessState, call: &Call) -> Reply {
    let tokenid = call.required("tokenid")?.to_owned();
    let user = user_of(access, call)?;
    let userid = user.userid.clone();
    let token = user
        .tokens
        .get_mut(&tokenid)
        .ok_or_else(|| no_such_token(&userid, &tokenid))?;
    if let Some(c) = call.str("comment") {
        token.comment = (!c.is_empty()).then(|| c.to_owned());
    }
    if let Some(e) = call.int("expire") {
        token.expire = e;
    }
    if let Some(p) = call.bool("privsep") {
        token.privsep = p;
    }
    Ok(token_info(None, token))
}

fn delete_token(access: &mut AccessState, call: &Call) -> Reply {
    let tokenid = call.required("tokenid")?.to_owned();
    let user = user_of(access, call)?;
    let userid = user.userid.clone();
    if user.tokens.remove(&tokenid).is_none() {
        return Err(no_such_token(&userid, &tokenid));
    }
    let full = format!("{userid}!{tokenid}");
    access.acl.retain(|e| e.ugid != full);
    Ok(Value::Null)
}

// ---- ACL -----------------------------------------------------------------------------------

fn list_acl(access: &AccessState, call: &Call) -> Reply {
    let caller = caller(call)?;
    let list: Vec<Value> = access
        .acl
        .iter()
        .filter(|e| access.can(caller, &e.path, "Permissions.Modify"))
        .map(|e| {
            json!({
                "path": e.path, "ugid": e.ugid, "type": e.kind.as_str(),
                "roleid": e.role, "propagate": e.propagate as u8,
            })
        })
        .collect();
    Ok(Value::Array(list))
}

fn valid_acl_path(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    if path == "/" {
        return true;
    }
    if !path.starts_with('/') || parts.iter().any(|p| p.is_empty()) {
        return false;
    }
    matches!(
        parts.as_slice(),
        ["vms"]
            | ["vms", _]
            | ["storage"]
            | ["storage", _]
            | ["nodes"]
            | ["nodes", _]
            | ["access"]
            | ["access", "groups"]
            | ["access", "groups", _]
            | ["access", "realm"]
            | ["access", "realm", _]
            | ["pool", ..]
            | ["sdn", ..]
            | ["mapping", ..]
    )
}

fn split_list(value: Option<&str>) -> Vec<&str> {
    value
        .unwrap_or("")
        .split([',', ';', ' '])
        .filter(|s| !s.is_empty())
        .collect()
}

fn update_acl(access: &mut AccessState, call: &Call) -> Reply {
    let path = call.required("path")?;
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    if !valid_acl_path(path) {
        return Err(ApiError::param(
            "path",
            format!("invalid ACL path '{path}'"),
        ));
    }
    let roles = split_list(call.str("roles"));
    for role in &roles {
        if roles::role(role).is_none() {
            return Err(ApiError::internal(format!("role '{role}' does not exist")));
        }
    }
    let mut targets: Vec<(String, AclKind)> = Vec::new();
    for group in split_list(call.str("groups")) {
        if !access.groups.contains_key(group) {
            return Err(groups::no_such_group(group));
        }
        targets.push((group.to_owned(), AclKind::Group));
    }
    for user in split_list(call.str("users")) {
        if !access.users.contains_key(user) {
            return Err(ApiError::internal(format!("user '{user}' does not exist")));
        }
        targets.push((user.to_owned(), AclKind::User));
    }
    for token in split_list(call.str("tokens")) {
        let Some((user, name)) = token.split_once('!') else {
            return Err(ApiError::internal(format!(
                "'{token}' is not a valid token ID - not able to split into user and token parts"
            )));
        };
        if !access
            .users
            .get(user)
            .is_some_and(|u| u.tokens.contains_key(name))
        {
            return Err(no_such_token(user, name));
        }
        targets.push((token.to_owned(), AclKind::Token));
    }
    let delete = call.bool("delete").unwrap_or(false);
    let propagate = call.bool("propagate").unwrap_or(true);
    for (ugid, kind) in targets {
        for role in &roles {
            access.acl.retain(|e| {
                !(e.path == path && e.ugid == ugid && e.kind == kind && e.role == *role)
            });
            if !delete {
                access.acl.push(AclEntry {
                    path: path.to_owned(),
                    ugid: ugid.clone(),
                    kind,
                    role: (*role).to_owned(),
                    propagate,
                });
            }
        }
    }
    Ok(Value::Null)
}

fn list_roles() -> Value {
    Value::Array(
        roles::ROLE_NAMES
            .iter()
            .map(|name| {
                let privs: Vec<&str> = roles::role(name).unwrap_or(PrivSet::NONE).names().collect();
                json!({"roleid": name, "privs": privs.join(","), "special": 1})
            })
            .collect(),
    )
}

fn permissions(access: &AccessState, call: &Call) -> Reply {
    let me = caller(call)?;
    let target = match call.str("userid") {
        Some(u) if u.contains('!') => {
            let (user, token) = u.split_once('!').unwrap_or((u, ""));
            Caller {
                userid: user.to_owned(),
                tokenid: Some(token.to_owned()),
            }
        }
        Some(u) => Caller {
            userid: u.to_owned(),
            tokenid: None,
        },
        None => me.clone(),
    };
    if target != *me && !can_see_users(access, me) {
        return Err(ApiError::permission("/access/groups", "Sys.Audit"));
    }
    let mut paths: Vec<String> = match call.str("path") {
        Some(p) => vec![p.to_owned()],
        None => {
            let mut v: Vec<String> = ["/", "/vms", "/storage", "/nodes", "/access"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
            v.extend(access.acl.iter().map(|e| e.path.clone()));
            v
        }
    };
    paths.sort();
    paths.dedup();
    let mut out = BTreeMap::new();
    for path in paths {
        let privs: Map<String, Value> = access
            .privileges(&target, &path)
            .names()
            .map(|p| (p.to_owned(), json!(1)))
            .collect();
        if !privs.is_empty() || call.str("path").is_some() {
            out.insert(path, Value::Object(privs));
        }
    }
    Ok(json!(out))
}
