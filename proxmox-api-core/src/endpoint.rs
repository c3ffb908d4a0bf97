//! Turns what a user types (`host`, `host:port`, `[::1]:8006`, `https://host:8006/api2/json`)
//! into the API base URL, `https://host:port/api2/json`.

use url::Url;

use crate::error::Error;

/// The port pveproxy listens on.
pub const DEFAULT_PORT: u16 = 8006;

/// Parses `input` into the API base URL (always ending in `/api2/json`, without a trailing `/`).
///
/// `http://` is refused unless `allow_insecure_http`; user info in the URL (`user:pw@host`),
/// queries, fragments and unknown paths are refused so that nothing secret ends up in a URL.
pub fn parse_endpoint(input: &str, allow_insecure_http: bool) -> Result<Url, Error> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid_input("host", "must not be empty"));
    }
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_owned()
    } else {
        format!("https://{trimmed}")
    };
    // Never echo the input back when it may carry credentials.
    let has_userinfo = with_scheme
        .split_once("://")
        .map(|(_, rest)| {
            rest.split(['/', '?', '#'])
                .next()
                .unwrap_or("")
                .contains('@')
        })
        .unwrap_or(false);
    if has_userinfo {
        return Err(Error::invalid_input(
            "host",
            "credentials in the URL are not accepted; use ClientBuilder::credentials",
        ));
    }
    let mut url = Url::parse(&with_scheme).map_err(|e| {
        Error::invalid_input("host", format!("'{trimmed}' is not a host or URL: {e}"))
    })?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http => {}
        "http" => return Err(Error::invalid_input(
            "host",
            "plain http:// sends tickets unencrypted; call allow_insecure_http(true) to allow it",
        )),
        other => {
            return Err(Error::invalid_input(
                "host",
                format!("unsupported scheme '{other}'; use https://"),
            ))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid_input(
            "host",
            format!("'{trimmed}' has no host"),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid_input(
            "host",
            "the URL must not have a query or fragment",
        ));
    }
    let path = url.path().trim_end_matches('/');
    if !(path.is_empty() || path == "/api2/json") {
        return Err(Error::invalid_input(
            "host",
            format!("unexpected path '{path}'; give the host, or a URL ending in /api2/json"),
        ));
    }
    // `Url` drops the port when it is the scheme's default; PVE's default is 8006, not 443.
    if !has_explicit_port(trimmed) {
        url.set_port(Some(DEFAULT_PORT))
            .map_err(|_| Error::invalid_input("host", "cannot set the port"))?;
    }
    url.set_path("/api2/json");
    Ok(url)
}

/// Whether the authority part of `input` names a port (so `https://h:443` keeps 443).
fn has_explicit_port(input: &str) -> bool {
    let rest = input.split_once("://").map_or(input, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    match authority.rfind(']') {
        // IPv6 literal: a port only after the closing bracket.
        Some(end) => authority[end..].contains(':'),
        None => authority.contains(':'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> String {
        parse_endpoint(input, false).unwrap().to_string()
    }

    #[test]
    fn accepted_forms() {
        assert_eq!(
            ok("pve.example.com"),
            "https://pve.example.com:8006/api2/json"
        );
        assert_eq!(ok("pve:8443"), "https://pve:8443/api2/json");
        assert_eq!(ok("[::1]:8006"), "https://[::1]:8006/api2/json");
        assert_eq!(ok("[::1]"), "https://[::1]:8006/api2/json");
        assert_eq!(ok("https://pve:8006"), "https://pve:8006/api2/json");
        // 443 is https's default port: kept, just not spelled out by `Url`.
        assert_eq!(ok("https://pve:443/api2/json/"), "https://pve/api2/json");
        assert_eq!(
            ok("https://10.0.0.1/api2/json"),
            "https://10.0.0.1:8006/api2/json"
        );
        assert_eq!(
            parse_endpoint("http://127.0.0.1:8006", true)
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8006/api2/json"
        );
    }

    #[test]
    fn refused_forms() {
        for bad in [
            "",
            "http://pve:8006",
            "root:secret@pve",
            "https://root:secret@pve:8006",
            "ftp://pve",
            "https://pve/other",
            "https://pve/api2/json?x=1",
        ] {
            let err = parse_endpoint(bad, false).unwrap_err();
            assert_eq!(err.code(), "INVALID_INPUT", "{bad}");
            assert!(!err.to_string().contains("secret"), "{err}");
        }
    }
}
