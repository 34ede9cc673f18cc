//! A real Valkey/Redis server for the tests that need one: the machine's `valkey-server` or
//! `redis-server`, on a free loopback port, with a password (so AUTH is exercised), no
//! persistence, stopped by its PID when dropped. `.ci/run` installs Debian's
//! `redis-server`; where neither program exists, a test fails under `CI=true` and is
//! skipped elsewhere, saying why.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "fleet-test-password";

pub struct RedisServer {
    child: Option<Child>,
    port: u16,
}

impl RedisServer {
    /// Starts a server, or `None` (with the reason printed) where none is installed and
    /// this is not CI.
    pub fn start() -> Option<RedisServer> {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        Self::start_on(port)
    }

    /// A server on `port`, e.g. the port of one that was killed, as a restart after an outage.
    pub fn start_on(port: u16) -> Option<RedisServer> {
        let Some(program) = ["valkey-server", "redis-server"].into_iter().find(|p| installed(p)) else {
            let reason = "neither valkey-server nor redis-server is installed (Debian: apt-get install redis-server)";
            assert!(std::env::var("CI").is_err(), "{reason}: CI must run this test");
            eprintln!("skipped: {reason}");
            return None;
        };
        let child = Command::new(program)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--requirepass", PASSWORD, "--save", "", "--appendonly", "no"])
            // DEBUG SLEEP makes the server slow on demand.
            .args(["--enable-debug-command", "local"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {program}: {e}"));
        let server = RedisServer {
            child: Some(child),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(Instant::now() < deadline, "{program} did not listen on port {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(server)
    }

    /// `redis://:<password>@127.0.0.1:<port>/0`
    pub fn url(&self) -> String {
        format!("redis://:{PASSWORD}@127.0.0.1:{}/0", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server now (SIGKILL by PID), as an outage would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
