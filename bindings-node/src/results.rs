//! Core results on the fast path: the Node shape of the value ([`Mirror`]) as JSON text.

use proxmox_api_core::Error as CoreError;

use crate::json_text::JsonText;
use crate::mirror::{Mirror, M};

/// A core result as JSON text with camelCase keys.
pub fn json<T: Mirror>(result: Result<T, CoreError>) -> Result<JsonText, CoreError> {
    result.and_then(|value| JsonText::camel(&M(&value)))
}
