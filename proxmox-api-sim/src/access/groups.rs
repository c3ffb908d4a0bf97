//! `/access/groups`: groups with members, used by ACL entries (`@group`) and by the
//! `userid-group` permission checks (PVE's `API2/Group.pm`).

use serde_json::{json, Map, Value};

use super::{AccessState, AclKind, Group};
use crate::api_error::{ApiError, Reply};
use crate::call::{Call, Caller};

/// The privileges that let a caller see a group in `GET /access/groups`.
const LIST_PRIVILEGES: [&str; 3] = ["User.Modify", "Sys.Audit", "Group.Allocate"];

/// PVE's error for a group that is not there.
pub fn no_such_group(groupid: &str) -> ApiError {
    ApiError::internal(format!("group '{groupid}' does not exist"))
}

/// The groups on whose `/access/groups/<group>` the caller holds any of `privileges`
/// (PVE's `filter_groups`).
pub fn groups_with_any<'a>(
    access: &'a AccessState,
    caller: &'a Caller,
    privileges: &'a [&'a str],
) -> impl Iterator<Item = &'a str> + 'a {
    access.groups.keys().map(String::as_str).filter(move |g| {
        let held = access.privileges(caller, &format!("/access/groups/{g}"));
        privileges.iter().any(|p| held.has(p))
    })
}

pub fn list(access: &AccessState, caller: &Caller) -> Reply {
    let visible: Vec<&str> = groups_with_any(access, caller, &LIST_PRIVILEGES).collect();
    let list = visible
        .into_iter()
        .filter_map(|name| access.groups.get(name).map(|g| (name, g)))
        .map(|(name, group)| {
            let mut m = Map::new();
            m.insert("groupid".into(), json!(name));
            if let Some(c) = &group.comment {
                m.insert("comment".into(), json!(c));
            }
            let users: Vec<&str> = group.members.iter().map(String::as_str).collect();
            m.insert("users".into(), json!(users.join(",")));
            Value::Object(m)
        })
        .collect();
    Ok(Value::Array(list))
}

pub fn create(access: &mut AccessState, call: &Call) -> Reply {
    let groupid = call.required("groupid")?;
    if access.groups.contains_key(groupid) {
        return Err(ApiError::internal(format!(
            "group '{groupid}' already exists"
        )));
    }
    let group = Group {
        comment: call.str("comment").map(str::to_owned),
        ..Group::default()
    };
    access.groups.insert(groupid.to_owned(), group);
    Ok(Value::Null)
}

pub fn get(access: &AccessState, call: &Call) -> Reply {
    let groupid = call.required("groupid")?;
    let group = access
        .groups
        .get(groupid)
        .ok_or_else(|| no_such_group(groupid))?;
    let mut m = Map::new();
    if let Some(c) = &group.comment {
        m.insert("comment".into(), json!(c));
    }
    m.insert("members".into(), json!(group.members));
    Ok(Value::Object(m))
}

pub fn update(access: &mut AccessState, call: &Call) -> Reply {
    let groupid = call.required("groupid")?;
    let group = access
        .groups
        .get_mut(groupid)
        .ok_or_else(|| no_such_group(groupid))?;
    if let Some(c) = call.str("comment") {
        group.comment = Some(c.to_owned());
    }
    Ok(Value::Null)
}

pub fn delete(access: &mut AccessState, call: &Call) -> Reply {
    let groupid = call.required("groupid")?;
    if access.groups.remove(groupid).is_none() {
        return Err(no_such_group(groupid));
    }
    access
        .acl
        .retain(|e| !(e.kind == AclKind::Group && e.ugid == groupid));
    Ok(Value::Null)
}

/// Puts `userid` into each of `groups` (all must exist; nothing changes otherwise).
/// With `replace`, the user first leaves every group (PVE's update without `append`).
pub fn set_membership(
    access: &mut AccessState,
    userid: &str,
    groups: &[&str],
    replace: bool,
) -> Result<(), ApiError> {
    if let Some(missing) = groups.iter().find(|g| !access.groups.contains_key(**g)) {
        return Err(ApiError::internal(format!("no such group '{missing}'")));
    }
    if replace {
        for group in access.groups.values_mut() {
            group.members.remove(userid);
        }
    }
    for g in groups {
        if let Some(group) = access.groups.get_mut(*g) {
            group.members.insert(userid.to_owned());
        }
    }
    Ok(())
}
