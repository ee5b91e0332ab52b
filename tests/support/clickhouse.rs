//! A private ClickHouse server for one test: its own temporary directory,
//! free loopback ports, stopped by its PID when dropped (also when the test
//! panics, and by the kernel if the test process dies first).
//!
//! Without `clickhouse-server` the tests that need it print one line saying
//! why and return, unless `CI` is set: there they must run, so they fail.

// Each test file that includes this uses only part of it.
#![allow(dead_code)]

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a cold server may take to answer `SELECT 1`.
const STARTUP: Duration = Duration::from_secs(60);

/// A running server; dropping it stops it and removes its directory.
pub struct ClickHouse {
    child: Child,
    /// The HTTP port (the one auditui talks to).
    pub http_port: u16,
    /// The native port (the one `Distributed` tables use between shards).
    pub tcp_port: u16,
    dir: tempfile::TempDir,
}

/// What a test adds before the server starts.
#[derive(Default)]
pub struct Builder {
    config_d: Vec<(String, String)>,
    users_d: Vec<(String, String)>,
    listen_hosts: Vec<String>,
}

impl Builder {
    /// A file for `config.d/` (inside `<yandex>`), e.g. a `remote_servers`
    /// cluster. `{tcp_port}` and `{http_port}` are replaced by the ports.
    pub fn config_d(mut self, name: &str, xml: &str) -> Self {
        self.config_d.push((name.into(), xml.into()));
        self
    }

    /// A file for `users.d/` (inside `<yandex>`), e.g. a user with a password.
    pub fn users_d(mut self, name: &str, xml: &str) -> Self {
        self.users_d.push((name.into(), xml.into()));
        self
    }

    /// Listen on this loopback address too (127.0.0.1 always): a cluster's
    /// second shard on the same server needs 127.0.0.2.
    pub fn listen_host(mut self, host: &str) -> Self {
        self.listen_hosts.push(host.into());
        self
    }

    /// Start the server and wait until it answers; `None` (after one
    /// printed line) when there is no server binary and `CI` is not set.
    pub fn start(self) -> Option<ClickHouse> {
        let Some(binary) = server_binary() else {
            let why = "clickhouse-server not found (Debian package clickhouse-server; or set AUDITUI_CLICKHOUSE_SERVER)";
            if std::env::var_os("CI").is_some() {
                panic!("{why}, and CI is set: these tests must run");
            }
            println!("skipped: {why}");
            return None;
        };
        Some(ClickHouse::launch(&binary, self))
    }
}

impl ClickHouse {
    /// A plain single server.
    pub fn start() -> Option<ClickHouse> {
        Builder::default().start()
    }

    pub fn builder() -> Builder {
        Builder::default()
    }

    fn launch(binary: &Path, setup: Builder) -> ClickHouse {
        let dir = tempfile::tempdir().expect("temporary directory");
        let (http_port, tcp_port) = (free_port(), free_port());
        let ports = |text: &str| {
            text.replace("{tcp_port}", &tcp_port.to_string())
                .replace("{http_port}", &http_port.to_string())
        };
        let mut hosts = vec!["127.0.0.1".to_string()];
        hosts.extend(setup.listen_hosts);
        write(dir.path(), "config.xml", &server_config(dir.path(), &hosts));
        write(dir.path(), "users.xml", USERS);
        for (name, xml) in &setup.config_d {
            write(&dir.path().join("config.d"), name, &wrap(&ports(xml)));
        }
        for (name, xml) in &setup.users_d {
            write(&dir.path().join("users.d"), name, &wrap(xml));
        }
        let log = std::fs::File::create(dir.path().join("stdout")).expect("log file");
        let mut command = Command::new(binary);
        command
            .arg(format!(
                "--config-file={}",
                dir.path().join("config.xml").display()
            ))
            .arg("--")
            .arg(format!("--http_port={http_port}"))
            .arg(format!("--tcp_port={tcp_port}"))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log);
        // SAFETY: prctl is async-signal-safe; it only asks the kernel to
        // kill the server when the thread that started it is gone, so a
        // test process killed outright leaves no server behind.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = command.spawn().expect("start clickhouse-server");
        let mut server = ClickHouse {
            child,
            http_port,
            tcp_port,
            dir,
        };
        server.wait_until_ready();
        server
    }

    fn wait_until_ready(&mut self) {
        let started = Instant::now();
        loop {
            if let Ok(answer) = self.try_query("SELECT 1") {
                assert_eq!(answer, "1\n");
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "clickhouse-server exited ({status}) before answering:\n{}",
                    self.error_log()
                );
            }
            assert!(
                started.elapsed() < STARTUP,
                "clickhouse-server did not answer within {STARTUP:?}:\n{}",
                self.error_log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The server's own error log and console output, for failure messages.
    pub fn error_log(&self) -> String {
        ["err", "stdout"]
            .iter()
            .map(|f| std::fs::read_to_string(self.dir.path().join(f)).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// `clickhouse://127.0.0.1:PORT/DATABASE` for the default user.
    pub fn url(&self, database: &str) -> String {
        format!("clickhouse://127.0.0.1:{}/{database}", self.http_port)
    }

    /// Run one statement as the default user; panics on any error.
    pub fn query(&self, sql: &str) -> String {
        self.try_query(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}\n{}", self.error_log()))
    }

    /// Run one statement; the server's message on failure.
    pub fn try_query(&self, sql: &str) -> Result<String, String> {
        let address = format!("http://127.0.0.1:{}/", self.http_port);
        let response = ureq::post(&address)
            .config()
            .http_status_as_error(false)
            .build()
            .send(sql)
            .map_err(|e| e.to_string())?;
        let ok = response.status().is_success();
        let body = response
            .into_body()
            .read_to_string()
            .map_err(|e| e.to_string())?;
        if ok { Ok(body) } else { Err(body) }
    }

    /// The server process's id, for tests that kill it mid-run.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stop the server now, as a crash would (SIGKILL).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ClickHouse {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `AUDITUI_CLICKHOUSE_SERVER`, else `clickhouse-server` on PATH or in the
/// sbin directories a non-root PATH often lacks.
fn server_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("AUDITUI_CLICKHOUSE_SERVER") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/bin".into()])
        .map(|dir| dir.join("clickhouse-server"))
        .find(|candidate| candidate.is_file())
}

/// A port nobody listens on now (the OS picks it; a race with another
/// process taking it before the server does is possible but rare).
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::create_dir_all(dir).expect("config directory");
    std::fs::write(dir.join(name), text).expect("write config");
}

fn wrap(inner: &str) -> String {
    format!("<?xml version=\"1.0\"?>\n<yandex>\n{inner}\n</yandex>\n")
}

/// Everything the server needs, nothing from /etc: paths in `dir`, logs
/// there, loopback only, no interserver port (no replication here).
fn server_config(dir: &Path, hosts: &[String]) -> String {
    let dir = dir.display();
    let listen: String = hosts
        .iter()
        .map(|h| format!("    <listen_host>{h}</listen_host>\n"))
        .collect();
    wrap(&format!(
        "    <logger><level>warning</level><log>{dir}/log</log><errorlog>{dir}/err</errorlog><console>0</console></logger>
{listen}    <path>{dir}/data/</path>
    <tmp_path>{dir}/tmp/</tmp_path>
    <format_schema_path>{dir}/format_schemas/</format_schema_path>
    <users_config>{dir}/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mark_cache_size>134217728</mark_cache_size>
    <max_concurrent_queries>100</max_concurrent_queries>"
    ))
}

/// The default user, without a password, from loopback only.
const USERS: &str = "<?xml version=\"1.0\"?>
<yandex>
    <profiles><default></default></profiles>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.0/8</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas><default></default></quotas>
</yandex>
";
