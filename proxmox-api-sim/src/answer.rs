//! A successful answer as a handler gives it: the envelope's `data` and the keys PVE puts beside
//! it. pveproxy's envelope is `{"data": ...}` plus whatever result attributes the method set
//! (`$rpcenv->set_result_attrib`), e.g. `total` on a paged task list; a handler that has such
//! keys returns an [`Answer`] with them, every other handler a plain `data` value.

use serde_json::{Map, Value};

use crate::api_error::ApiError;

/// The envelope of a successful call: `data` and the keys beside it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answer {
    /// The envelope's `data`.
    pub data: Value,
    /// Keys sent next to `data` (never `data` itself), e.g. `total`.
    pub extra: Map<String, Value>,
}

impl Answer {
    /// An answer of `data` alone.
    pub fn new(data: Value) -> Self {
        Self {
            data,
            extra: Map::new(),
        }
    }

    /// Adds the envelope key `key` (a `data` key is ignored: the envelope has one `data`).
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        if key != "data" {
            self.extra.insert(key.to_owned(), value.into());
        }
        self
    }
}

impl From<Value> for Answer {
    fn from(data: Value) -> Self {
        Self::new(data)
    }
}

/// What a handler with envelope keys returns: an [`Answer`], or an error.
pub type AnswerReply = Result<Answer, ApiError>;
