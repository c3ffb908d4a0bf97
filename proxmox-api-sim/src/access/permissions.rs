//! The schema's `permissions` evaluated for a caller: `check: [perm, path, [privs], any?]`,
//! `and`, `or`, `userid-param`, `userid-group`, `perm-modify`; `user: all|world`.

use serde_json::Value;

use super::{AccessState, ROOT};
use crate::api_error::ApiError;
use crate::call::Caller;

/// Whether `caller` may call a method with these `permissions`; `lookup` gives parameter values
/// (path placeholders first) for `{vmid}`-style substitutions. `user: all` methods pass here and
/// filter in their handlers.
pub fn check_method_permissions(
    access: &AccessState,
    caller: &Caller,
    permissions: &Value,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ApiError> {
    if let Some(check) = permissions.get("check") {
        return eval(access, caller, check, lookup);
    }
    match permissions.get("user").and_then(Value::as_str) {
        Some("all") | Some("world") => Ok(()),
        // No permissions at all: PVE allows only root.
        _ if caller.userid == ROOT && caller.tokenid.is_none() => Ok(()),
        _ => Err(ApiError::new(
            403,
            "Permission check failed (user != root@pam)",
        )),
    }
}

fn denied() -> ApiError {
    ApiError::new(403, "Permission check failed")
}

fn eval(
    access: &AccessState,
    caller: &Caller,
    check: &Value,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ApiError> {
    let Some(items) = check.as_array() else {
        return Err(denied());
    };
    let kind = items.first().and_then(Value::as_str).unwrap_or("");
    match kind {
        "perm" => {
            let path = substitute(items.get(1).and_then(Value::as_str).unwrap_or("/"), lookup);
            let privs: Vec<&str> = items
                .get(2)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let any = items.get(3).and_then(Value::as_str) == Some("any");
            check_privs(access, caller, &path, &privs, any)
        }
        "and" => items[1..]
            .iter()
            .try_for_each(|c| eval(access, caller, c, lookup)),
        "or" => {
            let mut last = denied();
            for c in &items[1..] {
                match eval(access, caller, c, lookup) {
                    Ok(()) => return Ok(()),
                    Err(e) => last = e,
                }
            }
            Err(last)
        }
        "userid-param" => {
            let target = lookup("userid").unwrap_or_default();
            match items.get(1).and_then(Value::as_str) {
                Some("self") => {
                    if target == caller.userid && caller.tokenid.is_none() {
                        Ok(())
                    } else {
                        Err(denied())
                    }
                }
                Some(privilege) => {
                    let realm = target.rsplit_once('@').map(|(_, r)| r).unwrap_or("");
                    check_privs(
                        access,
                        caller,
                        &format!("/access/realm/{realm}"),
                        &[privilege],
                        false,
                    )
                }
                None => Err(denied()),
            }
        }
        "userid-group" => {
            let privs: Vec<&str> = items
                .get(1)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let groups_param = match (items.get(2).and_then(Value::as_str), items.get(3)) {
                (Some("groups_param"), Some(mode)) => mode.as_str(),
                _ => None,
            };
            userid_group(access, caller, &privs, groups_param, lookup)
        }
        "perm-modify" => {
            let path = substitute(items.get(1).and_then(Value::as_str).unwrap_or("/"), lookup);
            check_privs(access, caller, &path, &["Permissions.Modify"], false)
        }
        _ => {
            if caller.userid == ROOT && caller.tokenid.is_none() {
                Ok(())
            } else {
                Err(denied())
            }
        }
    }
}

/// PVE's `userid-group` test: any of `privs` on `/access/groups` covers every user; otherwise
/// the target user must be in a group the caller holds one of them on, or (with
/// `groups_param`) every group named in `groups` must be such a group.
fn userid_group(
    access: &AccessState,
    caller: &Caller,
    privs: &[&str],
    groups_param: Option<&str>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ApiError> {
    let target = lookup("userid").unwrap_or_default();
    if groups_param != Some("create") && !access.users.contains_key(&target) {
        return Err(ApiError::internal(format!("no such user ('{target}')")));
    }
    let on_all = access.privileges(caller, "/access/groups");
    if privs.iter().any(|p| on_all.has(p)) {
        return Ok(());
    }
    let allowed: Vec<&str> = super::groups::groups_with_any(access, caller, privs).collect();
    let wanted = privs.join("|");
    if groups_param.is_some() {
        let named = lookup("groups").unwrap_or_default();
        let named: Vec<&str> = named
            .split([',', ';', ' '])
            .filter(|g| !g.is_empty())
            .collect();
        if named.is_empty() {
            return Err(ApiError::permission("/access/groups", &wanted));
        }
        return match named.iter().find(|g| !allowed.contains(g)) {
            Some(g) => Err(ApiError::permission(
                &format!("/access/groups/{g}"),
                &wanted,
            )),
            None => Ok(()),
        };
    }
    let member = allowed
        .iter()
        .filter_map(|g| access.groups.get(*g))
        .any(|g| g.members.contains(&target));
    if member {
        Ok(())
    } else {
        Err(denied())
    }
}

fn check_privs(
    access: &AccessState,
    caller: &Caller,
    path: &str,
    privs: &[&str],
    any: bool,
) -> Result<(), ApiError> {
    let held = access.privileges(caller, path);
    if any {
        if privs.iter().any(|p| held.has(p)) {
            return Ok(());
        }
        return Err(ApiError::permission(path, &privs.join("|")));
    }
    match privs.iter().find(|p| !held.has(p)) {
        None => Ok(()),
        Some(missing) => Err(ApiError::permission(path, missing)),
    }
}

/// `/vms/{vmid}` -> `/vms/100`.
fn substitute(template: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    if !template.contains('{') {
        return template.to_owned();
    }
    let mut out = String::with_capacity(template.len() + 8);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &rest[start + 1..start + end];
        out.push_str(&lookup(name).unwrap_or_default());
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn checks_and_wording() {
        let mut a = AccessState::new("pw");
        a.add_user("alice@pve", "password1");
        a.grant("/vms/100", "alice@pve", "PVEVMUser", true);
        let alice = Caller {
            userid: "alice@pve".into(),
            tokenid: None,
        };
        let vm = |id: &'static str| move |k: &str| (k == "vmid").then(|| id.to_owned());
        let audit = json!({"check": ["perm", "/vms/{vmid}", ["VM.Audit"]]});
        assert!(check_method_permissions(&a, &alice, &audit, &vm("100")).is_ok());
        let e = check_method_permissions(&a, &alice, &audit, &vm("101")).unwrap_err();
        assert_eq!(e.status, 403);
        assert_eq!(e.message, "Permission check failed (/vms/101, VM.Audit)");
        let alloc = json!({"check": ["perm", "/vms/{vmid}", ["VM.Allocate"]]});
        assert!(check_method_permissions(&a, &alice, &alloc, &vm("100")).is_err());
        let all = json!({"user": "all"});
        assert!(check_method_permissions(&a, &alice, &all, &vm("1")).is_ok());
        let root_only = json!({});
        assert!(check_method_permissions(&a, &alice, &root_only, &vm("1")).is_err());
        let selfish =
            json!({"check": ["or", ["userid-param", "self"], ["userid-group", ["User.Modify"]]]});
        let me = |k: &str| (k == "userid").then(|| "alice@pve".to_owned());
        let other = |k: &str| (k == "userid").then(|| "bob@pve".to_owned());
        assert!(check_method_permissions(&a, &alice, &selfish, &me).is_ok());
        assert!(check_method_permissions(&a, &alice, &selfish, &other).is_err());
    }
}
