//! The one HTTP client of the integrations: ureq with short timeouts, a
//! bounded retry with exponential backoff (connect errors, 429, 5xx), an
//! optional `Authorization` header, and error messages from which every
//! credential has been scrubbed before they can reach a log.
use std::fmt;
use std::io::Read;
use std::time::Duration;

/// Attempts per request (the first try plus two retries).
pub const TRIES: u32 = 3;
/// Sleep before the first retry; doubled before each further one.
pub const BACKOFF: Duration = Duration::from_millis(250);
/// Longest response body read (MLflow JSON answers are small).
const MAX_BODY: u64 = 16 * 1024 * 1024;
/// How much of an error response body is quoted in a message.
const MAX_QUOTED: usize = 300;

/// Why an integration call failed. Messages are already scrubbed of
/// credentials (tokens, passwords, webhook URLs).
#[derive(Debug, thiserror::Error)]
pub enum IntegrationError {
    /// No HTTP answer at all (connection refused, DNS, TLS, timeout), after
    /// every retry.
    #[error("{what}: {target} is unreachable after {tries} tries: {reason}")]
    Unreachable {
        what: String,
        target: String,
        tries: u32,
        reason: String,
    },
    /// The server answered with an error status.
    #[error("{what}: {target} answered HTTP {status}: {body}")]
    Status {
        what: String,
        target: String,
        status: u16,
        /// The server's error code when it sent one (MLflow's `error_code`).
        code: Option<String>,
        body: String,
    },
    /// The server answered 2xx with something we could not read.
    #[error("{what}: unexpected answer from {target}: {reason}")]
    Protocol {
        what: String,
        target: String,
        reason: String,
    },
    /// Missing or invalid configuration (no tracking URI, unset env var, ...).
    #[error("{0}")]
    Config(String),
    /// A local file (an artifact) could not be read.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl IntegrationError {
    /// The server's error code (`RESOURCE_DOES_NOT_EXIST`, ...) if any.
    pub fn code(&self) -> Option<&str> {
        match self {
            IntegrationError::Status { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status, if the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            IntegrationError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// `Result` of every integration call.
pub type Result<T, E = IntegrationError> = std::result::Result<T, E>;

/// Replaces every known secret in a text by a placeholder. Holds the
/// secrets themselves, so it never implements `Debug` with their values.
#[derive(Clone, Default)]
pub struct Scrubber {
    /// (secret, replacement), longest secrets first.
    secrets: Vec<(String, String)>,
}

impl fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scrubber({} secrets)", self.secrets.len())
    }
}

impl Scrubber {
    /// Registers a secret, shown as `***` (empty and 1-2 character values
    /// are ignored: replacing them would mangle every message).
    pub fn add(&mut self, secret: &str) {
        self.add_as(secret, "***");
    }

    /// Registers a secret shown as `replacement` (e.g. a webhook URL shown
    /// as its host only).
    pub fn add_as(&mut self, secret: &str, replacement: &str) {
        if secret.chars().count() < 3 || self.secrets.iter().any(|(s, _)| s == secret) {
            return;
        }
        self.secrets
            .push((secret.to_string(), replacement.to_string()));
        self.secrets.sort_by_key(|s| std::cmp::Reverse(s.0.len()));
    }

    /// The text with every secret replaced.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (secret, replacement) in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), replacement);
            }
        }
        out
    }
}

/// Credentials sent with every request.
#[derive(Clone, Default)]
pub enum Auth {
    /// No `Authorization` header.
    #[default]
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// `Authorization: Basic base64(user:password)`.
    Basic { user: String, password: String },
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("Auth::None"),
            Auth::Bearer(_) => f.write_str("Auth::Bearer(***)"),
            Auth::Basic { user, .. } => write!(f, "Auth::Basic({user}:***)"),
        }
    }
}

impl Auth {
    /// The `Authorization` header value, if any.
    fn header(&self) -> Option<String> {
        match self {
            Auth::None => None,
            Auth::Bearer(token) => Some(format!("Bearer {token}")),
            Auth::Basic { user, password } => Some(format!(
                "Basic {}",
                base64(format!("{user}:{password}").as_bytes())
            )),
        }
    }

    /// Registers every form of the credentials in `scrubber`.
    fn register(&self, scrubber: &mut Scrubber) {
        match self {
            Auth::None => {}
            Auth::Bearer(token) => scrubber.add(token),
            Auth::Basic { user, password } => {
                scrubber.add(password);
                scrubber.add(&base64(format!("{user}:{password}").as_bytes()));
            }
        }
    }
}

/// A request body.
pub enum Body<'a> {
    /// No body.
    Empty,
    /// A JSON document (`Content-Type: application/json`).
    Json(&'a serde_json::Value),
    /// Raw bytes with a content type (artifact uploads).
    Bytes(&'a [u8], &'a str),
}

/// A blocking HTTP client with retries and scrubbed errors.
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    auth: Auth,
    scrubber: Scrubber,
    backoff: Duration,
}

impl Client {
    /// A client sending `auth` with every request. `extra_secrets` (e.g. a
    /// webhook URL) are scrubbed from messages too, shown as their
    /// replacement.
    pub fn new(auth: Auth, extra_secrets: &[(&str, &str)]) -> Self {
        let mut scrubber = Scrubber::default();
        auth.register(&mut scrubber);
        for (secret, replacement) in extra_secrets {
            scrubber.add_as(secret, replacement);
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A server that accepts and never answers (or trickles) must
            // not hold a CI job: every call ends within 10 s, and a timed-out
            // call is not retried.
            .timeout_connect(Some(Duration::from_secs(5)))
            .timeout_global(Some(Duration::from_secs(10)))
            .user_agent(concat!("release-gate/", env!("CARGO_PKG_VERSION")))
            .build();
        Client {
            agent: config.into(),
            auth,
            scrubber,
            backoff: BACKOFF,
        }
    }

    /// Sets the sleep before the first retry (tests use a short one).
    pub fn with_backoff(mut self, backoff: Duration) -> Self {
        self.backoff = backoff;
        self
    }

    /// The scrubber holding this client's secrets.
    pub fn scrubber(&self) -> &Scrubber {
        &self.scrubber
    }

    /// Sends one request, retrying connect errors, 429 and 5xx, and returns
    /// the 2xx body as text. `what` names the operation in messages;
    /// `target` is the URL as it may be shown (no secrets in it).
    pub fn send(
        &self,
        method: &str,
        url: &str,
        body: Body<'_>,
        what: &str,
        target: &str,
    ) -> Result<String> {
        let mut delay = self.backoff;
        let mut last_failure = None;
        for attempt in 1..=TRIES {
            if attempt > 1 {
                std::thread::sleep(delay);
                delay = delay.saturating_mul(2);
            }
            match self.send_once(method, url, &body) {
                Ok((status, text)) if (200..300).contains(&status) => return Ok(text),
                Ok((status, text)) => {
                    let err = self.status_error(what, target, status, &text);
                    if status == 429 || status >= 500 {
                        last_failure = Some(err);
                        continue;
                    }
                    return Err(err);
                }
                Err(e) if retryable(&e) => {
                    last_failure = Some(IntegrationError::Unreachable {
                        what: what.to_string(),
                        target: self.scrubber.scrub(target),
                        tries: attempt,
                        reason: self.scrubber.scrub(&e.to_string()),
                    });
                }
                Err(e) => {
                    return Err(IntegrationError::Protocol {
                        what: what.to_string(),
                        target: self.scrubber.scrub(target),
                        reason: self.scrubber.scrub(&e.to_string()),
                    })
                }
            }
        }
        Err(last_failure.unwrap_or_else(|| IntegrationError::Protocol {
            what: what.to_string(),
            target: self.scrubber.scrub(target),
            reason: "no attempt was made".into(),
        }))
    }

    /// Like [`Client::send`], parsing the answer as JSON (an empty body is `{}`).
    pub fn send_json(
        &self,
        method: &str,
        url: &str,
        body: Body<'_>,
        what: &str,
        target: &str,
    ) -> Result<serde_json::Value> {
        let text = self.send(method, url, body, what, target)?;
        if text.trim().is_empty() {
            return Ok(serde_json::Value::Object(Default::default()));
        }
        serde_json::from_str(&text).map_err(|e| IntegrationError::Protocol {
            what: what.to_string(),
            target: self.scrubber.scrub(target),
            reason: format!("not JSON ({e}): {}", self.quote(&text)),
        })
    }

    fn send_once(
        &self,
        method: &str,
        url: &str,
        body: &Body<'_>,
    ) -> Result<(u16, String), ureq::Error> {
        let auth = self.auth.header();
        let mut response = match method {
            "GET" | "DELETE" => {
                let mut req = if method == "GET" {
                    self.agent.get(url)
                } else {
                    self.agent.delete(url)
                };
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                req.call()?
            }
            _ => {
                let mut req = match method {
                    "PUT" => self.agent.put(url),
                    "PATCH" => self.agent.patch(url),
                    _ => self.agent.post(url),
                };
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                match body {
                    Body::Empty => req.send_empty()?,
                    Body::Json(v) => req
                        .header("Content-Type", "application/json")
                        .send(v.to_string())?,
                    Body::Bytes(bytes, content_type) => {
                        req.header("Content-Type", *content_type).send(*bytes)?
                    }
                }
            }
        };
        let status = response.status().as_u16();
        let mut text = String::new();
        response
            .body_mut()
            .as_reader()
            .take(MAX_BODY)
            .read_to_string(&mut text)
            .map_err(ureq::Error::Io)?;
        Ok((status, text))
    }

    fn status_error(&self, what: &str, target: &str, status: u16, text: &str) -> IntegrationError {
        let parsed: Option<serde_json::Value> = serde_json::from_str(text).ok();
        let code = parsed
            .as_ref()
            .and_then(|v| v.get("error_code"))
            .and_then(|c| c.as_str())
            .map(str::to_string);
        let message = parsed
            .as_ref()
            .and_then(|v| v.get("message"))
            .and_then(|m| m.as_str())
            .map(|m| match &code {
                Some(c) => format!("{c}: {m}"),
                None => m.to_string(),
            });
        IntegrationError::Status {
            what: what.to_string(),
            target: self.scrubber.scrub(target),
            status,
            code,
            body: self.quote(message.as_deref().unwrap_or(text)),
        }
    }

    /// A short, scrubbed quote of a response body.
    fn quote(&self, text: &str) -> String {
        let text = self.scrubber.scrub(text.trim());
        if text.chars().count() <= MAX_QUOTED {
            return text;
        }
        let cut: String = text.chars().take(MAX_QUOTED).collect();
        format!("{cut}...")
    }
}

/// Errors worth another try: no answer came back (refused, reset, DNS).
/// A timeout is not retried (a silent server stays silent: the run must not
/// wait three times), nor are TLS and protocol errors.
fn retryable(e: &ureq::Error) -> bool {
    matches!(
        e,
        ureq::Error::Io(_) | ureq::Error::HostNotFound | ureq::Error::ConnectionFailed
    )
}

/// Standard base64 with padding (RFC 4648), for Basic auth.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Percent-encodes one URL path segment or query value (RFC 3986
/// unreserved characters pass through).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A URL as it may be shown: scheme and host only (`https://hooks.slack.com/…`).
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or(authority);
    if scheme.is_empty() {
        "<url>".into()
    } else {
        format!("{scheme}://{host}/…")
    }
}

/// Splits `user:password@` out of a URL: (URL without it, user, password).
pub fn split_userinfo(url: &str) -> (String, Option<(String, String)>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            (
                format!("{scheme}://{host}{tail}"),
                Some((user.to_string(), password.to_string())),
            )
        }
        None => (url.to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        // RFC 4648 section 10 test vectors.
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
        }
    }

    #[test]
    fn scrubber_replaces_longest_first_and_ignores_tiny_secrets() {
        let mut s = Scrubber::default();
        s.add("ab");
        s.add("hunter2");
        s.add_as("https://hooks.example/T0/B0/XyZ", "https://hooks.example/…");
        let text = "pw hunter2 at https://hooks.example/T0/B0/XyZ ab";
        assert_eq!(s.scrub(text), "pw *** at https://hooks.example/… ab");
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn auth_debug_never_shows_secrets() {
        let bearer = Auth::Bearer("tok-123456".into());
        let basic = Auth::Basic {
            user: "alice".into(),
            password: "s3cret!".into(),
        };
        assert!(!format!("{bearer:?}").contains("tok-123456"));
        assert!(!format!("{basic:?}").contains("s3cret!"));
        assert_eq!(
            basic.header().unwrap(),
            format!("Basic {}", base64(b"alice:s3cret!"))
        );
    }

    #[test]
    fn urls_are_split_and_redacted() {
        let (url, creds) = split_userinfo("https://bob:pa%40ss@mlflow.example:5000/path?q=1");
        assert_eq!(url, "https://mlflow.example:5000/path?q=1");
        assert_eq!(creds, Some(("bob".into(), "pa%40ss".into())));
        assert_eq!(split_userinfo("http://h:1/x").1, None);
        assert_eq!(
            redact_url("https://hooks.slack.com/services/T/B/secret"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(redact_url("https://u:p@h.example/x"), "https://h.example/…");
        assert_eq!(encode_component("a b/ç"), "a%20b%2F%C3%A7");
    }
}
