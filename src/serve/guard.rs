//! Whom the workshop server answers. A page on any site can point its own name at
//! 127.0.0.1 (DNS rebinding) and then read this server as its own origin; a page can
//! also post a plain form to it. So every request must be addressed to the server by a
//! name it has (its `Host`), and a request that may run something (any method but `GET`
//! and `HEAD`) must also come from the server's own page (its `Origin`, when it has
//! one), carry JSON (`Content-Type: application/json`, which a form cannot send) and
//! announce at most [`MAX_BODY_BYTES`].
//!
//! - **Host**: `127.0.0.1`, `localhost` or `[::1]`, the `--bind` address (any IP address
//!   when that is `0.0.0.0` or `::`: an address cannot be rebound) or an `--allow-host`
//!   name, case aside, with the server's port. A `Host` without a port means port 80
//!   (as in a URL), so it passes only when the server listens there; a browser always
//!   sends the port otherwise. A request without a `Host`, or with two, is refused.
//! - **Origin**: absent, or `http://` and one of those hosts with the port.
//! - Refusals are 403 (host, origin), 413 (a `Content-Length` over the limit, answered
//!   before the body is read) and 415 (not JSON), each with one line of plain text. A
//!   refused host or origin is told on stderr the first time it is seen.
//!
//! [`Guard::decide`] is the rule, on the request's method, target and headers alone;
//! [`check`] applies it in front of the routes.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::format::visible;

use super::MAX_BODY_BYTES;

/// Distinct refused hosts and origins told on stderr; later ones are not.
const MAX_TOLD: usize = 100;

/// The names the server answers to, its port, and the refusals already told.
#[derive(Debug)]
pub struct Guard {
    port: u16,
    /// The names answered to besides IP addresses, in lower case.
    names: Vec<String>,
    /// The IP addresses answered to; `None`: any (the server listens on all of them).
    addresses: Option<Vec<IpAddr>>,
    told: Mutex<HashSet<String>>,
}

/// A request refused: its status, the line that says why, and the line for stderr the
/// first time it is refused (a refused host or origin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// 403, 413 or 415.
    pub status: StatusCode,
    /// One line, without its newline.
    pub reason: String,
    /// What stderr is told, once.
    pub log: Option<String>,
}

impl Guard {
    /// The guard of a server listening on `bind`, port `port`, that also answers to the
    /// names `allowed` (`--allow-host`).
    pub fn new(bind: IpAddr, port: u16, allowed: &[String]) -> Guard {
        let mut names = vec!["localhost".to_string()];
        let mut addresses: Vec<IpAddr> = vec![[127, 0, 0, 1].into(), Ipv6Addr::LOCALHOST.into(), bind];
        for name in allowed {
            let bare = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(name);
            match bare.parse::<IpAddr>() {
                Ok(ip) => addresses.push(ip),
                Err(_) => names.push(name.to_ascii_lowercase()),
            }
        }
        let mut seen = HashSet::new();
        names.retain(|n| seen.insert(n.clone()));
        let mut seen = HashSet::new();
        addresses.retain(|a| seen.insert(*a));
        let addresses = if bind.is_unspecified() { None } else { Some(addresses) };
        Guard { port, names, addresses, told: Mutex::new(HashSet::new()) }
    }

    /// Whether `authority` (`name` or `name:port`, as in `Host`) names this server.
    pub fn is_own(&self, authority: &str) -> bool {
        let Some((name, port)) = split_authority(authority) else { return false };
        if port.unwrap_or(80) != self.port {
            return false;
        }
        let address = match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
            Some(v6) => v6.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
            None => name.parse::<Ipv4Addr>().ok().map(IpAddr::V4),
        };
        match (address, &self.addresses) {
            (Some(_), None) => true,
            (Some(ip), Some(own)) => own.contains(&ip),
            (None, _) => self.names.iter().any(|n| n.eq_ignore_ascii_case(name)),
        }
    }

    /// What becomes of a request: `Ok` to go on to the routes, or refused.
    pub fn decide(&self, method: &Method, uri: &Uri, headers: &HeaderMap) -> Result<(), Refusal> {
        let mut hosts = headers.get_all(header::HOST).iter();
        let host = match (hosts.next(), hosts.next()) {
            (None, _) => return Err(self.foreign_host("a request without a Host header", false)),
            (Some(h), None) => h,
            (Some(_), Some(_)) => return Err(self.foreign_host("a request with two Host headers", false)),
        };
        let Ok(host) = host.to_str() else {
            return Err(self.foreign_host("a request whose Host is not text", false));
        };
        if !self.is_own(host) {
            return Err(self.foreign_host(&format!("a request for {}", shown(host)), true));
        }
        // A request in absolute form names its host in its target too.
        if let Some(a) = uri.authority()
            && !self.is_own(a.as_str())
        {
            return Err(self.foreign_host(&format!("a request for {}", shown(a.as_str())), true));
        }
        if method == Method::GET || method == Method::HEAD {
            return Ok(());
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let text = origin.to_str().unwrap_or("(an Origin that is not text)");
            let own = text.strip_prefix("http://").is_some_and(|a| !a.contains('/') && self.is_own(a));
            if !own {
                return Err(Refusal {
                    status: StatusCode::FORBIDDEN,
                    reason: format!(
                        "refused a request from {}: only this server's own page ({}) may run the scenario",
                        shown(text),
                        self.own_hosts().iter().map(|h| format!("http://{h}")).collect::<Vec<_>>().join(", ")
                    ),
                    log: Some(format!(
                        "refused a request from {}, a page that is not this server's; later ones are refused \
                         without a word",
                        shown(text)
                    )),
                });
            }
        }
        let length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
        if let Some(n) = length.filter(|n| *n > MAX_BODY_BYTES as u64) {
            return Err(too_large(Some(n)));
        }
        let kind = headers.get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap_or("?"));
        let json =
            kind.is_some_and(|k| k.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json"));
        if !json {
            return Err(Refusal {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                reason: format!(
                    "refused a request body sent {}: it must be JSON, sent as Content-Type: application/json",
                    kind.map_or("without a Content-Type".to_string(), |k| format!("as {}", shown(k)))
                ),
                log: None,
            });
        }
        Ok(())
    }

    /// `what` refused for its host; `named`: it names a host, not this server.
    fn foreign_host(&self, what: &str, named: bool) -> Refusal {
        let why = if named {
            ", not a name of this server (a page on another site may be trying to read it through DNS \
             rebinding; --allow-host NAME serves a name on purpose)"
        } else {
            ""
        };
        Refusal {
            status: StatusCode::FORBIDDEN,
            reason: format!(
                "refused {what}: this server answers only as {} (sopsim serve --allow-host NAME adds a name)",
                self.own_hosts().join(", ")
            ),
            log: Some(format!("refused {what}{why}; later ones are refused without a word")),
        }
    }

    /// The hosts answered to, for a message.
    fn own_hosts(&self) -> Vec<String> {
        let port = self.port;
        let mut out: Vec<String> = match &self.addresses {
            Some(a) => a.iter().map(|ip| SocketAddr::new(*ip, port).to_string()).collect(),
            None => vec![format!("<any IP address>:{port}")],
        };
        out.extend(self.names.iter().map(|n| format!("{n}:{port}")));
        out
    }

    /// Whether `key` is refused for the first time (and fewer than [`MAX_TOLD`] were).
    fn first_time(&self, key: &str) -> bool {
        let mut told = self.told.lock().unwrap_or_else(PoisonError::into_inner);
        if told.len() >= MAX_TOLD || told.contains(key) {
            return false;
        }
        told.insert(key.to_string());
        true
    }
}

/// The name and the port of `authority` (`name` or `name:port`, an IPv6 address in
/// brackets); `None` when it is not one.
fn split_authority(authority: &str) -> Option<(&str, Option<u16>)> {
    let (name, rest) = if authority.starts_with('[') {
        authority.split_at(authority.find(']')? + 1)
    } else {
        authority.split_at(authority.find(':').unwrap_or(authority.len()))
    };
    if name.is_empty() {
        return None;
    }
    if rest.is_empty() {
        return Some((name, None));
    }
    let port = rest.strip_prefix(':')?;
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((name, Some(port.parse().ok()?)))
}

/// Received text as shown in a message: escaped and at most 100 characters.
fn shown(text: &str) -> String {
    let cut: String = text.chars().take(100).collect();
    let more = if cut.len() < text.len() { "…" } else { "" };
    format!("`{}{more}`", visible(&cut))
}

/// A body over [`MAX_BODY_BYTES`], of `length` bytes when it said so.
pub fn too_large(length: Option<u64>) -> Refusal {
    let limit = format!("{MAX_BODY_BYTES} bytes ({} KiB)", MAX_BODY_BYTES / 1024);
    let reason = match length {
        Some(n) => format!("refused a request body of {n} bytes: at most {limit} are read"),
        None => format!("refused a request body of more than {limit}, the most that is read"),
    };
    Refusal { status: StatusCode::PAYLOAD_TOO_LARGE, reason, log: None }
}

/// The middleware: refuses what [`Guard::decide`] refuses, telling a refused host or
/// origin on stderr the first time.
pub async fn check(State(guard): State<Arc<Guard>>, req: Request, next: Next) -> Response {
    match guard.decide(req.method(), req.uri(), req.headers()) {
        Ok(()) => next.run(req).await,
        Err(r) => {
            if let Some(line) = &r.log
                && guard.first_time(line)
            {
                eprintln!("warning: {line}");
            }
            refuse(&r)
        }
    }
}

/// The plain-text answer to a refused request.
pub fn refuse(r: &Refusal) -> Response {
    let mut resp = (r.status, Body::from(format!("{}\n", r.reason))).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if r.status == StatusCode::PAYLOAD_TOO_LARGE {
        // The body is not read: the connection cannot carry another request.
        h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn status(g: &Guard, method: Method, pairs: &[(&'static str, &str)]) -> StatusCode {
        g.decide(&method, &Uri::from_static("/api/run"), &headers(pairs)).err().map_or(StatusCode::OK, |r| r.status)
    }

    #[test]
    fn authorities_are_split_into_name_and_port() {
        assert_eq!(split_authority("localhost:8470"), Some(("localhost", Some(8470))));
        assert_eq!(split_authority("localhost"), Some(("localhost", None)));
        assert_eq!(split_authority("[::1]:80"), Some(("[::1]", Some(80))));
        assert_eq!(split_authority("[::1]"), Some(("[::1]", None)));
        for bad in ["", ":80", "localhost:", "localhost:x", "localhost:70000", "[::1", "[::1]x", "a:1:2", "::1"] {
            assert_eq!(split_authority(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_rule_in_order_host_origin_length_type() {
        let g = Guard::new([127, 0, 0, 1].into(), 8470, &["Workshop.Lan".to_string()]);
        let json = ("content-type", "application/json");
        assert_eq!(status(&g, Method::GET, &[("host", "localhost:8470")]), StatusCode::OK);
        assert_eq!(status(&g, Method::GET, &[("host", "workshop.lan:8470")]), StatusCode::OK);
        assert_eq!(status(&g, Method::GET, &[("host", "evil.example:8470")]), StatusCode::FORBIDDEN);
        assert_eq!(status(&g, Method::GET, &[]), StatusCode::FORBIDDEN);
        // A GET needs no content type, and its Origin is not looked at.
        assert_eq!(status(&g, Method::GET, &[("host", "[::1]:8470"), ("origin", "http://e.example")]), StatusCode::OK);
        assert_eq!(status(&g, Method::POST, &[("host", "127.0.0.1:8470"), json]), StatusCode::OK);
        let from = |o| status(&g, Method::POST, &[("host", "127.0.0.1:8470"), ("origin", o), json]);
        assert_eq!(from("http://workshop.lan:8470"), StatusCode::OK);
        assert_eq!(from("http://evil.example:8470"), StatusCode::FORBIDDEN);
        assert_eq!(from("null"), StatusCode::FORBIDDEN);
        // The first refusal wins: a foreign origin with a form body is 403, not 415.
        let form = ("content-type", "text/plain");
        let evil = ("origin", "http://evil.example");
        assert_eq!(status(&g, Method::POST, &[("host", "127.0.0.1:8470"), evil, form]), StatusCode::FORBIDDEN);
        let big = ("content-length", "262145");
        assert_eq!(status(&g, Method::POST, &[("host", "127.0.0.1:8470"), big, form]), StatusCode::PAYLOAD_TOO_LARGE);
        let fits = ("content-length", "262144");
        assert_eq!(status(&g, Method::POST, &[("host", "127.0.0.1:8470"), fits, json]), StatusCode::OK);
        assert_eq!(status(&g, Method::POST, &[("host", "127.0.0.1:8470"), form]), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(status(&g, Method::POST, &[("host", "127.0.0.1:8470")]), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    #[test]
    fn an_allowed_address_and_a_bind_on_all_addresses() {
        let g = Guard::new([192, 168, 1, 9].into(), 8470, &["10.0.0.2".to_string(), "[fd00::2]".to_string()]);
        for ok in ["192.168.1.9:8470", "10.0.0.2:8470", "[fd00::2]:8470", "127.0.0.1:8470"] {
            assert!(g.is_own(ok), "{ok}");
        }
        for no in ["192.168.1.10:8470", "10.0.0.2:8471", "0.0.0.0:8470"] {
            assert!(!g.is_own(no), "{no}");
        }
        let all = Guard::new(Ipv6Addr::UNSPECIFIED.into(), 80, &[]);
        assert!(all.is_own("203.0.113.7") && all.is_own("[2001:db8::1]:80") && all.is_own("localhost"));
        assert!(!all.is_own("evil.example") && !all.is_own("203.0.113.7:8470"));
    }

    #[test]
    fn a_refused_host_is_told_once() {
        let g = Guard::new([127, 0, 0, 1].into(), 8470, &[]);
        assert!(g.first_time("a request for `evil.example`"));
        assert!(!g.first_time("a request for `evil.example`"));
        assert!(g.first_time("a request for `other.example`"));
        for k in 0..2 * MAX_TOLD {
            g.first_time(&format!("a request for `{k}.example`"));
        }
        assert!(!g.first_time("a request for `one-too-many.example`"), "at most {MAX_TOLD} are told");
    }
}
