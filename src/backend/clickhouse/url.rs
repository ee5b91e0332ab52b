//! `clickhouse://[user[:password]@]host[:port]/database`: where a ClickHouse
//! source is. Shown to people only through `Display`, which leaves the
//! password out, so no message can leak it.

use std::fmt;

/// The scheme that marks a source as a database rather than a path.
pub const SCHEME: &str = "clickhouse://";

/// The environment variable read when the URL has no password, so that a
/// password never has to sit in shell history.
pub const PASSWORD_VARIABLE: &str = "AUDITUI_CLICKHOUSE_PASSWORD";

/// The HTTP interface's port when the URL names none.
pub const DEFAULT_PORT: u16 = 8123;

/// A parsed ClickHouse URL.
#[derive(Clone, PartialEq, Eq)]
pub struct Url {
    pub user: Option<String>,
    password: Option<String>,
    /// A name, an IPv4 address, or an IPv6 address without brackets.
    pub host: String,
    pub port: u16,
    pub database: String,
}

impl Url {
    /// Whether a command-line source is a ClickHouse URL.
    pub fn is_clickhouse(text: &str) -> bool {
        text.starts_with(SCHEME)
    }

    /// Parse, taking the password from [`PASSWORD_VARIABLE`] when the URL
    /// has none.
    pub fn parse(text: &str) -> Result<Url, String> {
        Url::parse_with(text, std::env::var(PASSWORD_VARIABLE).ok())
    }

    /// Parse with `fallback_password` standing in for the environment.
    pub fn parse_with(text: &str, fallback_password: Option<String>) -> Result<Url, String> {
        let fail = |why: &str| format!("{}: {why}", redact(text));
        let rest = text
            .strip_prefix(SCHEME)
            .ok_or_else(|| fail("not a clickhouse:// URL"))?;
        let (authority, database) = rest
            .split_once('/')
            .ok_or_else(|| fail("no database (clickhouse://host:port/database)"))?;
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((userinfo, hostport)) => (Some(userinfo), hostport),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(info) => {
                let (user, password) = match info.split_once(':') {
                    Some((user, password)) => (user, Some(decode(password).map_err(|e| fail(&e))?)),
                    None => (info, None),
                };
                let user = decode(user).map_err(|e| fail(&e))?;
                if user.is_empty() {
                    return Err(fail("empty user name before '@'"));
                }
                (Some(user), password)
            }
        };
        let (host, port) = split_host_port(hostport).map_err(|e| fail(&e))?;
        if !is_identifier(database) {
            return Err(fail(
                "the database must be a name of letters, digits and '_' (clickhouse://host:port/database)",
            ));
        }
        Ok(Url {
            user,
            password: password.or(fallback_password.filter(|p| !p.is_empty())),
            host,
            port,
            database: database.to_string(),
        })
    }

    /// The password, for the request headers only.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// The HTTP endpoint, e.g. `http://127.0.0.1:8123/`.
    pub fn endpoint(&self) -> String {
        if self.host.contains(':') {
            format!("http://[{}]:{}/", self.host, self.port)
        } else {
            format!("http://{}:{}/", self.host, self.port)
        }
    }
}

impl fmt::Display for Url {
    /// The URL as typed, minus the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(SCHEME)?;
        if let Some(user) = &self.user {
            write!(f, "{user}@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        write!(f, ":{}/{}", self.port, self.database)
    }
}

impl fmt::Debug for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A URL that failed to parse, with anything between `user:` and `@`
/// blotted out, for error messages.
pub fn redact(text: &str) -> String {
    let Some(rest) = text.strip_prefix(SCHEME) else {
        return text.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].find(':') {
            Some(colon) => format!("{SCHEME}{}:***{}", &rest[..colon], &rest[at..]),
            None => text.to_string(),
        },
        None => text.to_string(),
    }
}

fn split_host_port(text: &str) -> Result<(String, u16), String> {
    let (host, port) = if let Some(bracketed) = text.strip_prefix('[') {
        let (host, after) = bracketed
            .split_once(']')
            .ok_or("an IPv6 address needs its closing ']'")?;
        match after {
            "" => (host, None),
            _ => (
                host,
                Some(
                    after
                        .strip_prefix(':')
                        .ok_or("expected ':port' after ']'")?,
                ),
            ),
        }
    } else {
        match text.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    if host.is_empty() {
        return Err("no host".into());
    }
    let port = match port {
        None => DEFAULT_PORT,
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|&p| p != 0)
            .ok_or_else(|| format!("port {p:?} is not a number from 1 to 65535"))?,
    };
    Ok((host.to_string(), port))
}

/// Letters, digits and `_`, not starting with a digit: safe to put in SQL
/// unquoted on every ClickHouse version.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Percent-decoding, so a user or password may contain `@`, `:` or `/`.
fn decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("'%' must be followed by two hex digits")?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "percent-encoding does not decode to UTF-8".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Url, String> {
        Url::parse_with(text, None)
    }

    #[test]
    fn every_part_is_read_and_the_port_defaults_to_8123() {
        let url = parse("clickhouse://alice:s3cret@db.example:9000/audit").unwrap();
        assert_eq!(url.user.as_deref(), Some("alice"));
        assert_eq!(url.password(), Some("s3cret"));
        assert_eq!((url.host.as_str(), url.port), ("db.example", 9000));
        assert_eq!(url.database, "audit");
        let bare = parse("clickhouse://localhost/logs").unwrap();
        assert_eq!((bare.user, bare.password, bare.port), (None, None, 8123));
    }

    #[test]
    fn display_never_shows_the_password() {
        let url = parse("clickhouse://alice:s3cret@db:9000/audit").unwrap();
        assert_eq!(url.to_string(), "clickhouse://alice@db:9000/audit");
        assert_eq!(format!("{url:?}"), "clickhouse://alice@db:9000/audit");
        let err = parse("clickhouse://alice:s3cret@db:x/audit").unwrap_err();
        assert!(!err.contains("s3cret"), "{err}");
        assert!(
            err.starts_with("clickhouse://alice:***@db:x/audit: port"),
            "{err}"
        );
    }

    #[test]
    fn the_environment_password_is_used_only_when_the_url_has_none() {
        let from_env = Url::parse_with("clickhouse://bob@h/d", Some("env".into())).unwrap();
        assert_eq!(from_env.password(), Some("env"));
        let from_url = Url::parse_with("clickhouse://bob:url@h/d", Some("env".into())).unwrap();
        assert_eq!(from_url.password(), Some("url"));
    }

    #[test]
    fn percent_escapes_allow_any_password_and_ipv6_hosts_use_brackets() {
        let url = parse("clickhouse://u:p%40ss%3Aw@[::1]:8124/d").unwrap();
        assert_eq!(url.password(), Some("p@ss:w"));
        assert_eq!(url.host, "::1");
        assert_eq!(url.endpoint(), "http://[::1]:8124/");
        assert_eq!(url.to_string(), "clickhouse://u@[::1]:8124/d");
    }

    #[test]
    fn malformed_urls_say_what_is_wrong() {
        let cases = [
            ("clickhouse://host", "no database"),
            ("clickhouse://host/", "the database must be"),
            ("clickhouse://host/a;drop", "the database must be"),
            ("clickhouse://host:0/d", "port \"0\""),
            ("clickhouse://host:70000/d", "port \"70000\""),
            ("clickhouse:///d", "no host"),
            ("clickhouse://@h/d", "empty user"),
            ("clickhouse://u:%zz@h/d", "two hex digits"),
            ("clickhouse://[::1/d", "closing ']'"),
            ("http://h/d", "not a clickhouse:// URL"),
        ];
        for (text, want) in cases {
            let err = parse(text).unwrap_err();
            assert!(err.contains(want), "{text}: {err}");
        }
    }
}
