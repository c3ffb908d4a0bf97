//! `POST /nodes/{node}/storage/{storage}/upload` (PVE's `API2/Storage/Status.pm` `upload`): the
//! multipart file lands on the storage as `<storage>:iso/<file>` or `<storage>:vztmpl/<file>`
//! through an `imgcopy` task; a given checksum is verified and a mismatch fails the task.

use serde_json::Value;
use sha2::Digest;

use super::multipart::UploadedFile;
use crate::api_error::{ApiError, Reply};
use crate::call::Call;
use crate::state::SimState;

/// Answers the upload call with the task's UPID.
pub fn handle(state: &mut SimState, call: &Call, file: UploadedFile) -> Reply {
    let content: &'static str = match call.required("content")? {
        "iso" => "iso",
        "vztmpl" => "vztmpl",
        other => {
            return Err(ApiError::new(
                501,
                format!("uploading '{other}' content is not modelled by the simulator"),
            ))
        }
    };
    let filename = call.str("filename").unwrap_or(&file.name);
    // PVE keeps only the last path component and replaces unusual characters.
    let filename: String = filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let extension_ok = match content {
        "iso" => filename.ends_with(".iso") || filename.ends_with(".img"),
        _ => [".tar.gz", ".tar.xz", ".tar.zst", ".tgz", ".tar"]
            .iter()
            .any(|e| filename.ends_with(e)),
    };
    if !extension_ok {
        return Err(ApiError::param("filename", "wrong file extension"));
    }
    let failure = match call.str("checksum") {
        None => None,
        Some(expected) => {
            let algorithm = call.str("checksum-algorithm").ok_or_else(|| {
                ApiError::param(
                    "checksum-algorithm",
                    "'checksum-algorithm' is required when 'checksum' is set",
                )
            })?;
            let got = digest(algorithm, &file.data).ok_or_else(|| {
                ApiError::new(
                    501,
                    format!("checksum algorithm '{algorithm}' is not modelled by the simulator"),
                )
            })?;
            (!got.eq_ignore_ascii_case(expected.trim()))
                .then(|| format!("checksum mismatch: got '{got}' != expect '{expected}'"))
        }
    };
    let upid = crate::cluster::add_uploaded_volume(
        state,
        call,
        content,
        &filename,
        file.data.len() as u64,
        failure,
    )?;
    Ok(Value::from(upid))
}

fn digest(algorithm: &str, data: &[u8]) -> Option<String> {
    let bytes: Vec<u8> = match algorithm {
        "sha1" => ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, data)
            .as_ref()
            .to_vec(),
        "sha224" => sha2::Sha224::digest(data).to_vec(),
        "sha256" => sha2::Sha256::digest(data).to_vec(),
        "sha384" => sha2::Sha384::digest(data).to_vec(),
        "sha512" => sha2::Sha512::digest(data).to_vec(),
        _ => return None,
    };
    Some(crate::access::crypto::hex(&bytes))
}
