//! `multipart/form-data` bodies, accepted only on the storage upload call (as pve-http-server
//! does): form fields become parameters, the part named `filename` that carries a file name is
//! the upload itself (its file name becomes the `filename` parameter).

use bytes::Bytes;

use super::params::ParamMap;
use crate::api_error::ApiError;

/// The file of an upload.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    /// The file name the client gave.
    pub name: String,
    /// The content.
    pub data: Bytes,
}

/// The `boundary` of a `multipart/form-data` content type, if it is one.
pub fn boundary(content_type: &str) -> Option<&str> {
    let mut parts = content_type.split([';', ',']).map(str::trim);
    let media = parts.next()?;
    if media != "multipart/form-data" {
        return None;
    }
    parts
        .filter_map(|p| p.strip_prefix("boundary"))
        .filter_map(|p| p.trim_start().strip_prefix('='))
        .map(|b| b.trim().trim_matches('"'))
        .find(|b| !b.is_empty())
}

fn upload_failed() -> ApiError {
    ApiError::new(501, "upload failed")
}

/// Splits `body` at `boundary`: fields into `params`, the file returned.
pub fn parse(
    body: &Bytes,
    boundary: &str,
    params: &mut ParamMap,
) -> Result<UploadedFile, ApiError> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut file = None;
    let mut rest = &body[..];
    let Some(first) = find(rest, delimiter) else {
        return Err(upload_failed());
    };
    rest = &rest[first + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            break;
        }
        rest = strip_crlf(rest);
        let head_end = find(rest, b"\r\n\r\n").ok_or_else(upload_failed)?;
        let head = String::from_utf8_lossy(&rest[..head_end]).into_owned();
        let content_start = head_end + 4;
        let next = find(&rest[content_start..], delimiter).ok_or_else(upload_failed)?;
        let mut content = &rest[content_start..content_start + next];
        content = content
            .strip_suffix(b"\r\n")
            .or_else(|| content.strip_suffix(b"\n"))
            .unwrap_or(content);
        let (name, filename) = disposition(&head).ok_or_else(upload_failed)?;
        match filename {
            Some(f) if name == "filename" => {
                let offset = content.as_ptr() as usize - body.as_ptr() as usize;
                file = Some(UploadedFile {
                    name: f.clone(),
                    data: body.slice(offset..offset + content.len()),
                });
                params.insert("filename".to_owned(), vec![f]);
            }
            // PVE aborts an upload whose file part has another name.
            Some(_) => return Err(upload_failed()),
            None => {
                params.insert(name, vec![String::from_utf8_lossy(content).into_owned()]);
            }
        }
        rest = &rest[content_start + next + delimiter.len()..];
    }
    file.ok_or_else(upload_failed)
}

fn strip_crlf(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\r\n")
        .or_else(|| b.strip_prefix(b"\n"))
        .unwrap_or(b)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `(name, filename)` of a part's `Content-Disposition: form-data; ...` header.
fn disposition(head: &str) -> Option<(String, Option<String>)> {
    let line = head.lines().find_map(|l| {
        let (key, value) = l.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case("content-disposition")
            .then_some(value)
    })?;
    let mut parts = line.split(';').map(str::trim);
    if parts.next()? != "form-data" {
        return None;
    }
    let mut name = None;
    let mut filename = None;
    for p in parts {
        if let Some(v) = p.strip_prefix("name=") {
            name = Some(v.trim_matches('"').to_owned());
        } else if let Some(v) = p.strip_prefix("filename=") {
            filename = Some(v.trim_matches('"').to_owned());
        }
    }
    Some((name?, filename.filter(|f| !f.is_empty())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_file() {
        assert_eq!(boundary("multipart/form-data; boundary=abc"), Some("abc"));
        assert_eq!(boundary("multipart/form-data"), None);
        assert_eq!(boundary("text/plain; boundary=abc"), None);
        let body = Bytes::from_static(
            b"--abc\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\niso\r\n\
              --abc\r\nContent-Disposition: form-data; name=\"filename\"; filename=\"x.iso\"\r\n\
              Content-Type: application/octet-stream\r\n\r\nDATA\r\nMORE\r\n--abc--\r\n",
        );
        let mut params = ParamMap::new();
        let file = parse(&body, "abc", &mut params).unwrap();
        assert_eq!(file.name, "x.iso");
        assert_eq!(&file.data[..], b"DATA\r\nMORE");
        assert_eq!(params["content"], ["iso"]);
        assert_eq!(params["filename"], ["x.iso"]);
        let no_file = Bytes::from_static(
            b"--abc\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\niso\r\n--abc--\r\n",
        );
        assert!(parse(&no_file, "abc", &mut ParamMap::new()).is_err());
    }
}
