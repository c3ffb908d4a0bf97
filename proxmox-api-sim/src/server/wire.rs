//! Responses as pveproxy puts them on the wire.
//!
//! Success: `{"data": ...}`. Errors: the message's first line is the status line's reason
//! phrase; body `{"data":null,"message":"<msg>\n"}` (+ `errors` for 400); 401s have an EMPTY
//! body, except a failed login; every response >= 400 closes the connection. Every response
//! carries pveproxy's headers (`PVE::APIServer::AnyEvent::response`) and bodies over 1 KiB are
//! gzipped when the client accepts it.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::header::{
    HeaderValue, CACHE_CONTROL, CONNECTION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, DATE,
    EXPIRES, PRAGMA, SERVER,
};
use http::{Response, StatusCode};
use http_body_util::Full;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::answer::Answer;
use crate::api_error::ApiError;

/// The response body type of the whole server.
pub type Body = Full<Bytes>;

const JSON: HeaderValue = HeaderValue::from_static("application/json;charset=UTF-8");
const NO_CACHE: HeaderValue = HeaderValue::from_static("max-age=0");
const SERVER_NAME: HeaderValue = HeaderValue::from_static("pve-api-daemon/3.0");
/// pveproxy compresses only bodies longer than this.
const GZIP_ABOVE: usize = 1024;
/// How every success envelope begins.
const DATA_KEY: &[u8] = b"{\"data\":";

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    data: (),
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a BTreeMap<String, String>>,
}

/// 200 `{"data": <data>}`, serialised straight into the body.
pub fn success<T: Serialize>(data: &T) -> Response<Body> {
    success_with(data, &Map::new())
}

/// 200 with a handler's [`Answer`]: `data` and the keys PVE sends beside it.
pub fn answer(answer: &Answer) -> Response<Body> {
    success_with(&answer.data, &answer.extra)
}

/// 200 `{"data": <data>, <extra>...}`, serialised straight into the body.
pub fn success_with<T: Serialize>(data: &T, extra: &Map<String, Value>) -> Response<Body> {
    let mut body = Vec::with_capacity(128);
    body.extend_from_slice(DATA_KEY);
    let closed = serde_json::to_writer(&mut body, data).and_then(|()| close(&mut body, extra));
    match closed {
        Ok(()) => json_response(StatusCode::OK, body),
        Err(e) => error(&ApiError::internal(format!(
            "unable to serialize result: {e}"
        ))),
    }
}

/// 200 `{"data": <json>}` around `data_json`, the already serialised JSON text of `data`.
pub fn success_raw(data_json: Vec<u8>) -> Response<Body> {
    let mut body = Vec::with_capacity(data_json.len() + DATA_KEY.len() + 1);
    body.extend_from_slice(DATA_KEY);
    body.extend_from_slice(&data_json);
    body.push(b'}');
    json_response(StatusCode::OK, body)
}

/// Everything after `data` in the envelope: the extra keys, then the closing brace.
fn close(body: &mut Vec<u8>, extra: &Map<String, Value>) -> serde_json::Result<()> {
    for (key, value) in extra {
        body.push(b',');
        serde_json::to_writer(&mut *body, key)?;
        body.push(b':');
        serde_json::to_writer(&mut *body, value)?;
    }
    body.push(b'}');
    Ok(())
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response<Body> {
    let len = body.len();
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, JSON);
    headers.insert(CACHE_CONTROL, NO_CACHE);
    headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
    response
}

/// An error as PVE sends it.
pub fn error(err: &ApiError) -> Response<Body> {
    let status = StatusCode::from_u16(err.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = if err.status == 401 {
        let mut r = Response::new(Full::new(Bytes::new()));
        r.headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        r
    } else {
        let message = if err.message.ends_with('\n') {
            err.message.clone()
        } else {
            format!("{}\n", err.message)
        };
        let body = serde_json::to_vec(&ErrorEnvelope {
            data: (),
            message,
            errors: err.errors.as_ref(),
        })
        .unwrap_or_else(|_| b"{\"data\":null}".to_vec());
        json_response(status, body)
    };
    *response.status_mut() = status;
    if let Ok(reason) = hyper::ext::ReasonPhrase::try_from(reason_phrase(&err.message)) {
        response.extensions_mut().insert(reason);
    }
    if err.status >= 400 {
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// A failed `POST /access/ticket`: 401 with the reason in the status line AND a JSON body
/// `{"data":null,"message":"...\n"}` (PVE >= 8.3; clients such as proxmoxer parse it).
pub fn login_failure(err: &ApiError) -> Response<Body> {
    let mut response = error(&ApiError::new(500, err.message.clone()));
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response
}

/// pveproxy's headers on every answer (`Date` and `Expires` from the simulator's clock,
/// `Cache-Control`, `Pragma`, `Server`, `Connection`), and gzip above 1 KiB when accepted.
pub async fn finish(
    response: Response<Body>,
    now: std::time::SystemTime,
    accept_gzip: bool,
    client_closes: bool,
) -> Response<Body> {
    if response.status() == StatusCode::SWITCHING_PROTOCOLS {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let headers = &mut parts.headers;
    if let Ok(date) = HeaderValue::from_str(&httpdate::fmt_http_date(now)) {
        headers.insert(DATE, date.clone());
        headers.insert(EXPIRES, date);
    }
    headers.insert(CACHE_CONTROL, NO_CACHE);
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    headers.insert(SERVER, SERVER_NAME);
    if client_closes {
        headers.insert(CONNECTION, HeaderValue::from_static("close"));
    } else if !headers.contains_key(CONNECTION) {
        headers.insert(CONNECTION, HeaderValue::from_static("Keep-Alive"));
    }
    let length = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    if !accept_gzip || length <= GZIP_ABOVE {
        return Response::from_parts(parts, body);
    }
    let Ok(collected) = http_body_util::BodyExt::collect(body).await;
    let plain = collected.to_bytes();
    match gzip(&plain) {
        Some(compressed) => {
            headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            headers.insert(CONTENT_LENGTH, HeaderValue::from(compressed.len()));
            Response::from_parts(parts, Full::new(Bytes::from(compressed)))
        }
        None => Response::from_parts(parts, Full::new(plain)),
    }
}

thread_local! {
    /// One deflate state per server thread, reset for every body: a fresh state allocates and
    /// zeroes a few hundred KiB, which for the common 1-2 KiB answer (a node's status) cost more
    /// than compressing it (about a quarter of the CPU of a sequential client's loop).
    static DEFLATE: std::cell::RefCell<Option<flate2::Compress>> =
        const { std::cell::RefCell::new(None) };
}

/// Bodies up to this size are gzip streams of "stored" deflate blocks: still gzip, which the
/// client must inflate as it would pveproxy's, but without compressing. For the common 1-2 KiB
/// answer, compressing cost more CPU than the rest of the simulator's handler (about a tenth of
/// its time per call, with the state's reset) to save a few hundred bytes on a local connection.
const STORE_UP_TO: usize = 8 * 1024;

/// The body as gzip: stored blocks up to [`STORE_UP_TO`], deflate at level 1 above (neither
/// changes what a client reads, only how many bytes move).
fn gzip(data: &[u8]) -> Option<Vec<u8>> {
    if data.len() <= STORE_UP_TO {
        return Some(gzip_stored(data));
    }
    let pieces = gzip_pieces(data.len());
    if pieces > 1 {
        return gzip_parallel(data, pieces);
    }
    DEFLATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let deflate =
            slot.get_or_insert_with(|| flate2::Compress::new_gzip(flate2::Compression::fast(), 15));
        deflate.reset();
        let mut out = Vec::with_capacity(data.len() / 4 + 64);
        loop {
            let consumed = usize::try_from(deflate.total_in()).ok()?;
            let status = deflate
                .compress_vec(&data[consumed..], &mut out, flate2::FlushCompress::Finish)
                .ok()?;
            if status == flate2::Status::StreamEnd {
                return Some(out);
            }
            out.reserve(out.capacity().max(64));
        }
    })
}

/// Bodies from this size on are compressed in pieces on several threads.
const PARALLEL_GZIP_FROM: usize = 1 << 20;
/// Each piece is at least this long (shorter ones compress worse and gain nothing).
const GZIP_BYTES_PER_THREAD: usize = 512 * 1024;
/// Never more threads than this for one body: the simulator shares its machine with the clients
/// under test.
const GZIP_MAX_THREADS: usize = 4;

/// How many pieces a body of `len` bytes is compressed in.
fn gzip_pieces(len: usize) -> usize {
    if len < PARALLEL_GZIP_FROM {
        return 1;
    }
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    cpus.min(GZIP_MAX_THREADS)
        .min(len / GZIP_BYTES_PER_THREAD)
        .max(1)
}

/// The body as one gzip member whose deflate stream was written in `pieces` parts at once, the
/// way pigz does it: each part is raw deflate ended by a sync flush (an empty stored block, so
/// the next part starts on a byte boundary) and the last by the final block. A client sees one
/// ordinary gzip stream. A 20,000-guest listing (5 MB) took 13 ms to compress on one thread,
/// more than half of the simulator's time for the call, and every client under test waited
/// for it alike.
fn gzip_parallel(data: &[u8], pieces: usize) -> Option<Vec<u8>> {
    const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let size = data.len().div_ceil(pieces);
    let parts: Vec<&[u8]> = data.chunks(size).collect();
    let last = parts.len() - 1;
    let compressed: Vec<Option<Vec<u8>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .iter()
            .enumerate()
            .map(|(i, part)| scope.spawn(move || deflate_raw(part, i == last)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(None))
            .collect()
    });
    let mut out = Vec::with_capacity(
        HEADER.len() + compressed.iter().flatten().map(Vec::len).sum::<usize>() + 8,
    );
    out.extend_from_slice(&HEADER);
    for part in compressed {
        out.extend_from_slice(&part?);
    }
    let mut crc = flate2::Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    // ISIZE is the length modulo 2^32.
    out.extend_from_slice(&(data.len() as u64 as u32).to_le_bytes());
    Some(out)
}

/// `data` as raw deflate at level 1: ended by the final block when `last`, else by a sync flush.
fn deflate_raw(data: &[u8], last: bool) -> Option<Vec<u8>> {
    let mut deflate = flate2::Compress::new(flate2::Compression::fast(), false);
    let flush = if last {
        flate2::FlushCompress::Finish
    } else {
        flate2::FlushCompress::Sync
    };
    let mut out = Vec::with_capacity(data.len() / 4 + 64);
    loop {
        let consumed = usize::try_from(deflate.total_in()).ok()?;
        let status = deflate
            .compress_vec(&data[consumed..], &mut out, flush)
            .ok()?;
        let done = if last {
            status == flate2::Status::StreamEnd
        } else {
            // zlib's rule: the flush is complete once all input is in and the output had room.
            deflate.total_in() == data.len() as u64 && out.len() < out.capacity()
        };
        if done {
            return Some(out);
        }
        out.reserve(out.capacity().max(64));
    }
}

/// A gzip member (RFC 1952) of stored deflate blocks (RFC 1951, 3.2.4): header, blocks of at
/// most 65,535 bytes each with their length and its complement, CRC-32 and length.
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let blocks = data.len().div_ceil(0xffff).max(1);
    let mut out = Vec::with_capacity(HEADER.len() + data.len() + 5 * blocks + 8);
    out.extend_from_slice(&HEADER);
    let mut chunks = data.chunks(0xffff).peekable();
    if data.is_empty() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none())); // BFINAL on the last, BTYPE 00
        let len = u16::try_from(chunk.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    let mut crc = flate2::Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    // ISIZE is the length modulo 2^32.
    out.extend_from_slice(&(data.len() as u64 as u32).to_le_bytes());
    out
}

/// The first line of `message`, cut to what a status line may carry.
fn reason_phrase(message: &str) -> Vec<u8> {
    let first = message.lines().next().unwrap_or("").trim_end();
    let mut out: Vec<u8> = first
        .bytes()
        .map(|b| {
            if b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80 {
                b
            } else {
                b' '
            }
        })
        .collect();
    out.truncate(512);
    if out.is_empty() {
        out.extend_from_slice(b"Error");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn body(r: Response<Body>) -> Vec<u8> {
        r.into_body().collect().await.unwrap().to_bytes().to_vec()
    }

    #[tokio::test]
    async fn error_shapes() {
        let r = error(&ApiError::new(401, "No ticket"));
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()[CONNECTION], "close");
        assert_eq!(
            r.extensions()
                .get::<hyper::ext::ReasonPhrase>()
                .unwrap()
                .as_bytes(),
            b"No ticket"
        );
        assert!(body(r).await.is_empty());
        let r = error(&ApiError::param("vmid", "VM 200 already exists"));
        let v: serde_json::Value = serde_json::from_slice(&body(r).await).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"data": null, "message": "Parameter verification failed.\n",
                "errors": {"vmid": "VM 200 already exists"}})
        );
        let r = error(&ApiError::internal("line one\nline two"));
        assert_eq!(
            r.extensions()
                .get::<hyper::ext::ReasonPhrase>()
                .unwrap()
                .as_bytes(),
            b"line one"
        );
        let r = success(&serde_json::json!("100"));
        assert_eq!(body(r).await, b"{\"data\":\"100\"}");
        let paged = Answer::new(serde_json::json!([1, 2]))
            .with("total", 7)
            .with("data", "ignored");
        let r = answer(&paged);
        assert_eq!(body(r).await, b"{\"data\":[1,2],\"total\":7}");
    }

    fn gunzip(data: &[u8]) -> Vec<u8> {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(data)
            .read_to_end(&mut out)
            .expect("a complete gzip stream");
        out
    }

    /// `entries` JSON-ish entries, varied enough not to collapse into a few back-references.
    fn varied_body(entries: u32) -> Vec<u8> {
        (0..entries)
            .flat_map(|i| {
                format!(
                    "{{\"vmid\":{i},\"name\":\"ct{}\"}},",
                    i.wrapping_mul(2_654_435_761)
                )
                .into_bytes()
            })
            .collect()
    }

    #[test]
    fn reused_deflate_state_gives_independent_streams() {
        // Bodies of very different sizes one after the other on one thread: each must be a
        // whole gzip stream of its own input, with nothing carried over from the previous one
        // (the large one also outgrows the first guess of the output's size).
        let small = br#"{"data":{"cpu":0.03,"uptime":1234}}"#.repeat(40);
        let large = varied_body(200_000);
        for data in [&small[..], &large[..], &small[..], b"x"] {
            let compressed = gzip(data).expect("compresses");
            assert_eq!(&compressed[..2], [0x1f, 0x8b], "gzip magic");
            assert_eq!(gunzip(&compressed), data);
        }
        // Large bodies are compressed, small ones stored.
        assert!(gzip(&large).unwrap().len() < large.len() / 2);
        assert_eq!(gzip(&small).unwrap().len(), small.len() + 23);
    }

    #[test]
    fn a_body_compressed_in_pieces_is_one_ordinary_gzip_stream() {
        let data = varied_body(120_000);
        assert!(data.len() > PARALLEL_GZIP_FROM);
        for pieces in 1..=GZIP_MAX_THREADS {
            let compressed = gzip_parallel(&data, pieces).expect("compresses");
            // `GzDecoder` reads exactly one member: were the pieces separate members, it would
            // stop after the first one and the comparison would fail.
            assert_eq!(gunzip(&compressed), data, "{pieces} pieces");
            assert!(compressed.len() < data.len() / 2, "{pieces} pieces");
        }
        assert_eq!(gzip_pieces(PARALLEL_GZIP_FROM - 1), 1);
        assert!(gzip_pieces(usize::MAX) <= GZIP_MAX_THREADS);
        assert_eq!(gunzip(&gzip(&data).unwrap()), data);
    }

    #[test]
    fn stored_gzip_inflates_at_every_block_boundary() {
        // Built by hand: one block per 65,535 bytes, the last one marked final, and the trailer's
        // CRC-32 and length checked by the decoder.
        for len in [0, 1, 1025, 0xffff, 0x10000, 3 * 0xffff + 7] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            assert_eq!(gunzip(&gzip_stored(&data)), data, "{len} bytes");
        }
    }
}
