//! Plain HTTP to ClickHouse's HTTP interface, blocking, with `ureq`: every
//! statement auditui sends works the same on 18.16 and on current servers
//! this way (the `clickhouse` crate needs its validation turned off to talk
//! to 18.16, and brings an async runtime auditui has no other use for).
//!
//! Every error is one line that names the URL (never the password).

use super::url::Url;
use std::io::Read;
use std::time::Duration;
use ureq::Agent;

/// How long to wait for a connection before calling the server unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest error text read from the server; its messages are a few lines.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// When set, every statement sent is appended to this file as a JSON
/// string per line: CI replays them on current ClickHouse (chdb) to check
/// that what 18.16 accepted is accepted there too (ARCHITECTURE.md).
pub const SQL_LOG: &str = "AUDITUI_CLICKHOUSE_SQL_LOG";

/// A connection to one database, and the settings every request carries.
pub struct Client {
    url: Url,
    agent: Agent,
    settings: Vec<(String, String)>,
}

impl Client {
    /// No I/O yet: the first request finds out whether the server is there.
    pub fn new(url: Url) -> Client {
        let agent: Agent = Agent::config_builder()
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .http_status_as_error(false)
            .build()
            .into();
        Client {
            url,
            agent,
            settings: Vec::new(),
        }
    }

    /// A server setting sent with every request, e.g.
    /// `insert_distributed_sync=1`.
    pub fn with_setting(mut self, name: &str, value: &str) -> Client {
        self.settings.push((name.into(), value.into()));
        self
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Run a statement that returns nothing worth reading (DDL, ALTER).
    pub fn execute(&self, sql: &str) -> Result<(), String> {
        self.query_text(sql).map(drop)
    }

    /// Run a query whose whole answer is small (a few MB at most).
    pub fn query_text(&self, sql: &str) -> Result<String, String> {
        let mut text = String::new();
        self.query_stream(sql)?
            .read_to_string(&mut text)
            .map_err(|e| self.error(&format!("reading the answer: {e}")))?;
        Ok(text)
    }

    /// Run a query and read its answer as it arrives: a result of any size
    /// in bounded memory.
    pub fn query_stream(&self, sql: &str) -> Result<impl Read + use<>, String> {
        record_statement(sql);
        let request = self.request(None);
        let response = request.send(sql).map_err(|e| self.transport(e))?;
        self.check(response)
    }

    /// `INSERT INTO table FORMAT RowBinary` with `rows` as the data, sent
    /// with its length (a connection cut mid-body still leaves what arrived
    /// stored: see [`Client::insert_row_binary_streamed`]).
    pub fn insert_row_binary(&self, table: &str, rows: &[u8]) -> Result<(), String> {
        self.insert(table, rows)
    }

    /// `INSERT INTO table FORMAT RowBinary` with the rows read from `body`
    /// as they come (chunked), so that a large INSERT (one part on the
    /// server) is never held whole here. A body cut short is stored up to
    /// where it was cut (18.16 takes the end of the request for the end of
    /// the data): callers send rows in an order a re-run can resume from.
    pub fn insert_row_binary_streamed(
        &self,
        table: &str,
        body: &mut dyn Read,
    ) -> Result<(), String> {
        self.insert(table, ureq::SendBody::from_reader(body))
    }

    fn insert(&self, table: &str, body: impl ureq::AsSendBody) -> Result<(), String> {
        let insert = format!("INSERT INTO {table} FORMAT RowBinary");
        record_statement(&insert);
        let response = self
            .request(Some(&insert))
            .send(body)
            .map_err(|e| self.transport(e))?;
        self.check(response).map(drop)
    }

    fn request(&self, query: Option<&str>) -> ureq::RequestBuilder<ureq::typestate::WithBody> {
        let mut request = self
            .agent
            .post(self.url.endpoint())
            .query("database", &self.url.database);
        if let Some(query) = query {
            request = request.query("query", query);
        }
        for (name, value) in &self.settings {
            request = request.query(name, value);
        }
        // Headers, not URL parameters: credentials stay out of server logs.
        if let Some(user) = &self.url.user {
            request = request.header("X-ClickHouse-User", user);
        }
        if let Some(password) = self.url.password() {
            request = request.header("X-ClickHouse-Key", password);
        }
        request
    }

    /// The body of a successful answer, or the server's error as one line.
    fn check(
        &self,
        response: ureq::http::Response<ureq::Body>,
    ) -> Result<impl Read + use<>, String> {
        if response.status().is_success() {
            return Ok(response.into_body().into_reader());
        }
        let status = response.status();
        let text = response
            .into_body()
            .into_with_config()
            .limit(ERROR_BODY_LIMIT)
            .read_to_string()
            .unwrap_or_default();
        Err(self.error(&server_message(status.as_u16(), &text)))
    }

    fn transport(&self, error: ureq::Error) -> String {
        let why = match &error {
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                "cannot connect: connection refused (is the server running, and is this its HTTP port?)".to_string()
            }
            ureq::Error::Io(e) => format!("connection failed: {e}"),
            ureq::Error::Timeout(_) => "timed out".to_string(),
            other => other.to_string(),
        };
        self.error(&why)
    }

    /// `clickhouse://user@host:port/db: why`, on one line.
    pub fn error(&self, why: &str) -> String {
        format!("{}: {}", self.url, one_line(why))
    }
}

/// ClickHouse's `Code: 60, e.displayText() = DB::Exception: Table x
/// doesn't exist., e.what() = DB::Exception` (18.16) or `Code: 60.
/// DB::Exception: ... (UNKNOWN_TABLE) (version ...)` (current), shortened
/// to what a person needs.
fn server_message(status: u16, text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return format!("HTTP {status} with no message");
    }
    let text = text.replace("e.displayText() = ", "");
    let text = text.split(", e.what() = ").next().unwrap_or(&text);
    let text = text.split(" (version ").next().unwrap_or(text);
    text.to_string()
}

/// Append `sql` to the file [`SQL_LOG`] names, if it names one. Best
/// effort: the log is a test aid, and failing to write it must not fail
/// the statement.
fn record_statement(sql: &str) {
    if let Some(path) = std::env::var_os(SQL_LOG) {
        let _ = append_statement(std::path::Path::new(&path), sql);
    }
}

/// One JSON string and a newline, in one write so that processes sharing
/// the file do not interleave their lines.
fn append_statement(path: &std::path::Path, sql: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut line = serde_json::to_string(sql).expect("a string serialises");
    line.push('\n');
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(line.as_bytes())
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A ClickHouse string literal: `\` and `'` escaped with a backslash, which
/// every version reads back byte for byte.
pub fn string_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\\' || c == '\'' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_of_both_generations_become_one_short_line() {
        let old = "Code: 60, e.displayText() = DB::Exception: Table d.t doesn't exist., e.what() = DB::Exception\n";
        assert_eq!(
            server_message(404, old),
            "Code: 60, DB::Exception: Table d.t doesn't exist."
        );
        let new = "Code: 60. DB::Exception: Table d.t does not exist. (UNKNOWN_TABLE) (version 24.3.1.1)\n";
        assert_eq!(
            server_message(404, new),
            "Code: 60. DB::Exception: Table d.t does not exist. (UNKNOWN_TABLE)"
        );
        assert_eq!(server_message(502, " \n"), "HTTP 502 with no message");
    }

    #[test]
    fn errors_name_the_url_without_the_password_on_one_line() {
        let url = Url::parse_with("clickhouse://u:pw@h:1/d", None).unwrap();
        let message = Client::new(url).error("line one\nline two");
        assert_eq!(message, "clickhouse://u@h:1/d: line one line two");
    }

    #[test]
    fn recorded_statements_are_one_json_string_per_line() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("sql.jsonl");
        append_statement(&log, "SELECT 1").unwrap();
        append_statement(&log, "SELECT 'a\nb'").unwrap();
        let lines: Vec<String> = std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines, ["SELECT 1", "SELECT 'a\nb'"]);
    }

    #[test]
    fn literals_escape_quotes_and_backslashes() {
        assert_eq!(string_literal(r"it's a \ test"), r"'it\'s a \\ test'");
        assert_eq!(string_literal(""), "''");
    }
}
