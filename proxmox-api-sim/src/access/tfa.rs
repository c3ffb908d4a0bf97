//! `/access/tfa`: TOTP enrolment and recovery keys through PVE's own API (PVE >= 7.2), the way
//! the web UI and scripts enrol: `POST /access/tfa/{userid}` with `type=totp`, the `otpauth://`
//! URI in `totp` and a current code in `value`; `type=recovery` returns the recovery keys once.
//! Like `PUT /access/password`, everyone but `root@pam` confirms with their own `password`.
//! WebAuthn, U2F and YubiKey entries are not modelled (501).

use serde_json::{json, Map, Value};

use super::crypto::{hex, random_bytes};
use super::{totp, AccessState, TotpFactor, User, ROOT};
use crate::api_error::{ApiError, Reply};
use crate::call::{Call, Caller};

const RECOVERY_ID: &str = "recovery";

fn caller_of(call: &Call) -> Result<&Caller, ApiError> {
    call.caller
        .as_ref()
        .ok_or_else(|| ApiError::new(401, "No ticket"))
}

fn user<'a>(access: &'a AccessState, userid: &str) -> Result<&'a User, ApiError> {
    access
        .users
        .get(userid)
        .ok_or_else(|| ApiError::internal(format!("no such user ('{userid}')")))
}

/// `reauth_user_for_user_modification` with the `password` parameter.
fn reauth(access: &AccessState, call: &Call) -> Result<String, ApiError> {
    let caller = caller_of(call)?.userid.clone();
    let userid = call.required("userid")?.to_owned();
    user(access, &userid)?;
    if userid == ROOT && caller != ROOT {
        return Err(ApiError::new(403, "Permission check failed"));
    }
    if caller != ROOT {
        let Some(password) = call.str("password") else {
            return Err(ApiError::param(
                "password",
                "password is required to modify user",
            ));
        };
        let ok = access
            .users
            .get(&caller)
            .and_then(|u| u.password.as_ref())
            .is_some_and(|h| h.verify(password));
        if !ok {
            return Err(ApiError::internal("invalid credentials"));
        }
    }
    Ok(userid)
}

fn entries(user: &User) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(f) = &user.totp {
        let mut m = Map::new();
        m.insert("type".into(), json!("totp"));
        m.insert("id".into(), json!(f.id));
        m.insert("description".into(), json!(f.description));
        m.insert("created".into(), json!(f.created));
        if !f.enable {
            m.insert("enable".into(), json!(0));
        }
        out.push(Value::Object(m));
        if !f.recovery.is_empty() {
            out.push(json!({"type": "recovery", "id": RECOVERY_ID,
                "description": "recovery keys", "created": f.created}));
        }
    }
    out
}

/// Every user with entries the caller may see: all with `User.Modify` or `Sys.Audit` on
/// `/access/groups`, otherwise only themselves.
pub fn list(access: &AccessState, caller: &Caller) -> Reply {
    let held = access.privileges(caller, "/access/groups");
    let all = held.has("User.Modify") || held.has("Sys.Audit");
    let list = access
        .users
        .values()
        .filter(|u| all || u.userid == caller.userid)
        .filter(|u| u.totp.is_some())
        .map(|u| json!({"userid": u.userid, "entries": entries(u)}))
        .collect();
    Ok(Value::Array(list))
}

pub fn list_user(access: &AccessState, call: &Call) -> Reply {
    let userid = call.required("userid")?;
    Ok(Value::Array(entries(user(access, userid)?)))
}

pub fn get(access: &AccessState, call: &Call) -> Reply {
    let userid = call.required("userid")?;
    let id = call.required("id")?;
    entries(user(access, userid)?)
        .into_iter()
        .find(|e| e["id"] == id)
        .ok_or_else(|| no_such_entry(id))
}

fn no_such_entry(id: &str) -> ApiError {
    ApiError::new(404, format!("no such tfa entry '{id}'"))
}

/// The secret of an `otpauth://totp/...?secret=BASE32` URI (SHA-1, 6 digits, 30 s only: what
/// the simulator verifies).
fn secret_of(uri: &str) -> Option<Vec<u8>> {
    let url = url::Url::parse(uri).ok()?;
    if url.scheme() != "otpauth" || url.host_str() != Some("totp") {
        return None;
    }
    let mut secret = None;
    for (key, value) in url.query_pairs() {
        match (key.as_ref(), value.as_ref()) {
            ("secret", v) => secret = totp::base32_decode(v),
            ("algorithm", v) if !v.eq_ignore_ascii_case("SHA1") => return None,
            ("digits", v) if v != "6" => return None,
            ("period", v) if v != "30" => return None,
            _ => {}
        }
    }
    secret.filter(|s| !s.is_empty())
}

pub fn add(access: &mut AccessState, call: &Call, now: i64) -> Reply {
    let userid = reauth(access, call)?;
    let kind = call.required("type")?;
    match kind {
        "totp" => {
            let uri = call
                .str("totp")
                .ok_or_else(|| ApiError::param("totp", "missing 'totp' parameter"))?;
            let value = call
                .str("value")
                .ok_or_else(|| ApiError::param("value", "missing 'value' parameter"))?;
            let secret =
                secret_of(uri).ok_or_else(|| ApiError::param("totp", "invalid TOTP URI"))?;
            if !totp::verify(&secret, value, now) {
                return Err(ApiError::internal("failed to verify TOTP challenge"));
            }
            let id = format!("totp-{}", hex(&random_bytes::<4>()));
            let user = access
                .users
                .get_mut(&userid)
                .ok_or_else(|| ApiError::internal(format!("no such user ('{userid}')")))?;
            let recovery = user
                .totp
                .as_ref()
                .map(|f| f.recovery.clone())
                .unwrap_or_default();
            user.totp = Some(TotpFactor {
                secret,
                recovery,
                id: id.clone(),
                description: call.str("description").unwrap_or("").to_owned(),
                created: now,
                enable: true,
            });
            Ok(json!({"id": id}))
        }
        "recovery" => {
            let user = access
                .users
                .get_mut(&userid)
                .ok_or_else(|| ApiError::internal(format!("no such user ('{userid}')")))?;
            let Some(factor) = user.totp.as_mut() else {
                return Err(ApiError::new(
                    501,
                    "recovery keys without a TOTP entry are not modelled by the simulator",
                ));
            };
            if !factor.recovery.is_empty() {
                return Err(ApiError::internal("user already has recovery keys"));
            }
            factor.recovery = (0..10).map(|_| hex(&random_bytes::<6>())).collect();
            Ok(json!({"id": RECOVERY_ID, "recovery": factor.recovery}))
        }
        other => Err(ApiError::new(
            501,
            format!("TFA type '{other}' is not modelled by the simulator"),
        )),
    }
}

pub fn update(access: &mut AccessState, call: &Call) -> Reply {
    let userid = reauth(access, call)?;
    let id = call.required("id")?.to_owned();
    let factor = access
        .users
        .get_mut(&userid)
        .and_then(|u| u.totp.as_mut())
        .filter(|f| f.id == id)
        .ok_or_else(|| no_such_entry(&id))?;
    if let Some(d) = call.str("description") {
        factor.description = d.to_owned();
    }
    if let Some(e) = call.bool("enable") {
        factor.enable = e;
    }
    Ok(Value::Null)
}

pub fn delete(access: &mut AccessState, call: &Call) -> Reply {
    let userid = reauth(access, call)?;
    let id = call.required("id")?.to_owned();
    let user = access
        .users
        .get_mut(&userid)
        .ok_or_else(|| ApiError::internal(format!("no such user ('{userid}')")))?;
    match user.totp.as_mut() {
        Some(f) if f.id == id => user.totp = None,
        Some(f) if id == RECOVERY_ID && !f.recovery.is_empty() => f.recovery.clear(),
        _ => return Err(no_such_entry(&id)),
    }
    Ok(Value::Null)
}
