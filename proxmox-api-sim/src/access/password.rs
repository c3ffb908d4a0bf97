//! `PUT /access/password`, as PVE 8/9 do it (`API2/AccessControl.pm` `change_password` and
//! `RPCEnvironment::reauth_user_for_user_modification`): everyone but `root@pam` confirms the
//! change with their OWN current password in `confirmation-password`; only root changes root;
//! nobody but root changes another `pam` user. API tokens never get here (`allowtoken: 0`,
//! refused in the pipeline).

use serde_json::Value;

use super::crypto::PasswordHash;
use super::{AccessState, ROOT};
use crate::api_error::{ApiError, Reply};
use crate::call::Call;

const CONFIRMATION: &str = "confirmation-password";

fn perm_denied() -> ApiError {
    ApiError::new(403, "Permission check failed")
}

pub fn change(access: &mut AccessState, call: &Call, now: i64) -> Reply {
    let userid = call.required("userid")?;
    let password = call.required("password")?;
    let caller = call
        .caller
        .as_ref()
        .ok_or_else(|| ApiError::new(401, "No ticket"))?
        .userid
        .clone();
    if !access.users.contains_key(userid) {
        return Err(ApiError::internal(format!("no such user ('{userid}')")));
    }
    if userid == ROOT && caller != ROOT {
        return Err(perm_denied());
    }
    if caller != ROOT {
        let Some(confirmation) = call.str(CONFIRMATION) else {
            return Err(ApiError::param(
                CONFIRMATION,
                "password is required to modify user",
            ));
        };
        confirm_own_password(access, &caller, confirmation)?;
        if caller == userid {
            let me = access.users.get(userid);
            if !me.is_some_and(|u| u.enable) {
                return Err(ApiError::internal(format!("user '{userid}' is disabled")));
            }
            if me.is_some_and(|u| !u.active(now)) {
                return Err(ApiError::internal("account expired"));
            }
        } else if userid.ends_with("@pam") {
            // PVE never lets anyone but root change a system (PAM) user's password.
            return Err(perm_denied());
        }
    }
    let user = access
        .users
        .get_mut(userid)
        .ok_or_else(|| ApiError::internal(format!("no such user ('{userid}')")))?;
    user.password = Some(PasswordHash::new(password));
    Ok(Value::Null)
}

/// The realm plugin's `authenticate_user` for the CALLER: PVE's wording per realm.
fn confirm_own_password(
    access: &AccessState,
    caller: &str,
    confirmation: &str,
) -> Result<(), ApiError> {
    let pam = caller.ends_with("@pam");
    if confirmation.is_empty() {
        return Err(ApiError::internal("no password"));
    }
    let hash = access.users.get(caller).and_then(|u| u.password.as_ref());
    match hash {
        Some(h) if h.verify(confirmation) => Ok(()),
        Some(_) if pam => Err(ApiError::internal("auth failed: Authentication failure")),
        Some(_) => Err(ApiError::internal("invalid credentials")),
        None => Err(ApiError::internal("no password set")),
    }
}
