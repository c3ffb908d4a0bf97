//! `GET /nodes/{node}/lxc/{vmid}/vncwebsocket`: a websocket (subprotocol `binary`) that checks
//! the VNC ticket vncproxy issued and speaks the first steps of RFB 3.8 (version, security
//! type None, security result, server init) so that noVNC-style clients see a live console.

use bytes::Bytes;
use http::header::{
    HeaderValue, CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_PROTOCOL,
    UPGRADE,
};
use http::{HeaderMap, Response, StatusCode};
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::api_error::ApiError;
use crate::call::Call;
use crate::server::hooks;
use crate::server::wire::Body;
use crate::state::SimState;

const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The RFB version the simulated VNC server announces.
pub const RFB_VERSION: &[u8; 12] = b"RFB 003.008\n";

/// Whether the request asks for a websocket upgrade.
pub fn is_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get(UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// `Sec-WebSocket-Accept` for a client key (RFC 6455: base64(SHA-1(key + GUID))).
pub fn accept_key(key: &str) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY);
    ctx.update(key.trim().as_bytes());
    ctx.update(GUID.as_bytes());
    crate::access::crypto::b64(ctx.finish().as_ref())
}

/// Checks the VNC ticket and answers 101, then serves the socket in the background.
pub fn accept(
    state: &mut SimState,
    call: &Call,
    headers: &HeaderMap,
    upgrade: Option<hyper::upgrade::OnUpgrade>,
) -> Result<Response<Body>, ApiError> {
    let (Some(upgrade), Some(key)) = (upgrade, headers.get(SEC_WEBSOCKET_KEY)) else {
        return Err(ApiError::new(400, "websocket upgrade required"));
    };
    if call.caller.as_ref().is_some_and(|c| c.tokenid.is_some()) {
        // PVE: API tokens cannot open terminal websockets.
        return Err(ApiError::new(
            403,
            "Permission check failed (API tokens cannot open terminal websockets)",
        ));
    }
    let key = key
        .to_str()
        .map_err(|_| ApiError::new(400, "bad websocket key"))?;
    let node = call.required("node")?;
    let vmid = call.required("vmid")?;
    let port = call.required("port")?;
    let ticket = call.required("vncticket")?;
    if !hooks::vnc_ticket_valid(state, node, vmid, port, ticket) {
        return Err(ApiError::new(401, "permission denied - invalid vnc ticket"));
    }
    let wants_binary = headers
        .get_all(SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == "binary");
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = response.headers_mut();
    h.insert(UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    h.insert(
        SEC_WEBSOCKET_ACCEPT,
        HeaderValue::from_str(&accept_key(key))
            .map_err(|_| ApiError::new(400, "bad websocket key"))?,
    );
    if wants_binary {
        h.insert(SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static("binary"));
    }
    tokio::spawn(async move {
        if let Ok(upgraded) = upgrade.await {
            let _ = serve_rfb(TokioIo::new(upgraded)).await;
        }
    });
    Ok(response)
}

/// One websocket frame as received.
struct Frame {
    opcode: u8,
    payload: Vec<u8>,
}

async fn read_frame<S: AsyncRead + Unpin>(s: &mut S) -> std::io::Result<Frame> {
    let mut head = [0u8; 2];
    s.read_exact(&mut head).await?;
    let opcode = head[0] & 0x0f;
    let masked = head[1] & 0x80 != 0;
    let mut len = (head[1] & 0x7f) as u64;
    if len == 126 {
        len = s.read_u16().await? as u64;
    } else if len == 127 {
        len = s.read_u64().await?;
    }
    if len > 1 << 20 {
        return Err(std::io::Error::other("frame too large"));
    }
    let mut mask = [0u8; 4];
    if masked {
        s.read_exact(&mut mask).await?;
    }
    let mut payload = vec![0u8; len as usize];
    s.read_exact(&mut payload).await?;
    if masked {
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= mask[i % 4];
        }
    }
    Ok(Frame { opcode, payload })
}

async fn write_frame<S: AsyncWrite + Unpin>(
    s: &mut S,
    opcode: u8,
    payload: &[u8],
) -> std::io::Result<()> {
    let mut out = Vec::with_capacity(payload.len() + 10);
    out.push(0x80 | opcode);
    match payload.len() {
        n if n < 126 => out.push(n as u8),
        n if n <= u16::MAX as usize => {
            out.push(126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    out.extend_from_slice(payload);
    s.write_all(&out).await?;
    s.flush().await
}

/// The server side of the RFB handshake over websocket binary frames.
async fn serve_rfb<S: AsyncRead + AsyncWrite + Unpin>(mut s: S) -> std::io::Result<()> {
    write_frame(&mut s, 0x2, RFB_VERSION).await?;
    let mut inbox: Vec<u8> = Vec::new();
    let mut stage = 0u8;
    loop {
        let frame = read_frame(&mut s).await?;
        match frame.opcode {
            0x8 => {
                let _ = write_frame(&mut s, 0x8, &frame.payload).await;
                return Ok(());
            }
            0x9 => {
                write_frame(&mut s, 0xA, &frame.payload).await?;
                continue;
            }
            0xA => continue,
            _ => inbox.extend_from_slice(&frame.payload),
        }
        loop {
            match stage {
                // client version -> security types [None]
                0 if inbox.len() >= 12 => {
                    inbox.drain(..12);
                    write_frame(&mut s, 0x2, &[1, 1]).await?;
                    stage = 1;
                }
                // chosen security type -> SecurityResult OK
                1 if !inbox.is_empty() => {
                    inbox.drain(..1);
                    write_frame(&mut s, 0x2, &0u32.to_be_bytes()).await?;
                    stage = 2;
                }
                // ClientInit -> ServerInit (800x600, 32 bpp true colour)
                2 if !inbox.is_empty() => {
                    inbox.drain(..1);
                    let name = b"proxmox-api-sim";
                    let mut init = Vec::new();
                    init.extend_from_slice(&800u16.to_be_bytes());
                    init.extend_from_slice(&600u16.to_be_bytes());
                    init.extend_from_slice(&[
                        32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0,
                    ]);
                    init.extend_from_slice(&(name.len() as u32).to_be_bytes());
                    init.extend_from_slice(name);
                    write_frame(&mut s, 0x2, &init).await?;
                    stage = 3;
                }
                3 => {
                    // Client messages after init are accepted and ignored.
                    inbox.clear();
                    break;
                }
                _ => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6455_accept_key() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }
}
