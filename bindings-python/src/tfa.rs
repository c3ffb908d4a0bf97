//! Two-factor logins: `otp=` (a one-time code) or `tfa_callback=` (a callable asked for a code
//! whenever the server wants a second factor), as a core `TfaProvider`.

use std::sync::Arc;

use async_trait::async_trait;
use proxmox_api_core::{Error, OneTimeCode, TfaFactor, TfaProvider, TfaResponse};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::errors::invalid_input;

/// A Python callable `(userid, factors) -> str`, called with the GIL on the runtime's thread.
struct Callback(PyObject);

#[async_trait]
impl TfaProvider for Callback {
    async fn second_factor(
        &self,
        userid: &str,
        factors: &[TfaFactor],
    ) -> Result<TfaResponse, Error> {
        let names: Vec<&str> = factors.iter().map(TfaFactor::name).collect();
        let answer = Python::with_gil(|py| -> PyResult<String> {
            let code = self.0.call1(py, (userid, names))?;
            code.extract(py)
        });
        match answer {
            Ok(code) => Ok(TfaResponse::totp(code)),
            Err(_) => Err(Error::invalid_input(
                "tfa_callback",
                "the callback failed or did not return a str code",
            )),
        }
    }
}

/// The provider for the constructor's `otp=` / `tfa_callback=` arguments.
pub fn provider(
    otp: Option<&Bound<'_, PyAny>>,
    callback: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Arc<dyn TfaProvider>>> {
    let otp = otp.filter(|v| !v.is_none());
    let callback = callback.filter(|v| !v.is_none());
    match (otp, callback) {
        (Some(_), Some(_)) => Err(invalid_input("otp", "give otp= or tfa_callback=, not both")),
        (Some(code), None) => {
            if !code.is_instance_of::<PyString>() {
                return Err(invalid_input("otp", "must be a str"));
            }
            let code: String = code.extract()?;
            Ok(Some(Arc::new(OneTimeCode::new(
                code,
                "the one-time code was already used; pass tfa_callback= to answer later logins",
            ))))
        }
        (None, Some(callback)) => {
            if !callback.is_callable() {
                return Err(invalid_input(
                    "tfa_callback",
                    "must be callable (userid, factors) -> str",
                ));
            }
            Ok(Some(Arc::new(Callback(callback.clone().unbind()))))
        }
        (None, None) => Ok(None),
    }
}
