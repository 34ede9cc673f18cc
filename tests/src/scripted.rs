//! A raw HTTP/1.1 server on loopback that answers each request with the next step of a
//! script, for faults httpmock cannot produce: resets, stalls, cut-off bodies, sequences.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Step {
    /// A complete response.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Read the request, then reset the connection without answering.
    Reset,
    /// Wait, then respond.
    Stall(Duration, Box<Step>),
    /// Announce `length` body bytes, send `body` (fewer), close.
    CutOff { status: u16, length: usize, body: Vec<u8> },
}

impl Step {
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        let headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        Step::Respond {
            status,
            headers,
            body: body.to_string().into_bytes(),
        }
    }

    pub fn with_header(self, name: &str, value: &str) -> Self {
        match self {
            Step::Respond {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.to_owned(), value.to_owned()));
                Step::Respond { status, headers, body }
            }
            other => other,
        }
    }
}

/// The server: `base_url()` to point a client at, `requests()` to count what arrived.
pub struct ScriptedServer {
    base_url: String,
    requests: Arc<AtomicUsize>,
}

impl ScriptedServer {
    /// Answers request n with `script[n]`, and every later one with the last step.
    pub async fn start(script: Vec<Step>) -> Self {
        assert!(!script.is_empty(), "a script needs at least one step");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let base_url = format!("http://{}", listener.local_addr().expect("local address"));
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (script, counter) = (script.clone(), counter.clone());
                tokio::spawn(async move { serve(stream, &script, &counter).await });
            }
        });
        Self { base_url, requests }
    }

    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

async fn serve(mut stream: TcpStream, script: &[Step], counter: &AtomicUsize) {
    let _ = stream.set_nodelay(true);
    // Keep-alive: several requests may come over one connection.
    while read_request(&mut stream).await {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let step = script.get(n).unwrap_or_else(|| script.last().expect("non-empty"));
        if !respond(&mut stream, step).await {
            return;
        }
    }
}

/// Reads one request (headers and a Content-Length body); false at end of stream.
async fn read_request(stream: &mut TcpStream) -> bool {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buffer.len() < header_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    true
}

/// Sends `step`; false when the connection is finished.
async fn respond(stream: &mut TcpStream, step: &Step) -> bool {
    match step {
        Step::Respond { status, headers, body } => {
            let mut head = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            // One write: a separate body write would meet Nagle's algorithm and delayed ACKs.
            let mut response = head.into_bytes();
            response.extend_from_slice(body);
            stream.write_all(&response).await.is_ok() && stream.flush().await.is_ok()
        }
        Step::Reset => {
            // SO_LINGER 0 turns the close into a TCP reset (and does not block: nothing lingers).
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(Duration::ZERO));
            false
        }
        Step::Stall(wait, then) => {
            tokio::time::sleep(*wait).await;
            Box::pin(respond(stream, then)).await
        }
        Step::CutOff { status, length, body } => {
            let head =
                format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n\r\n");
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(body).await;
            let _ = stream.flush().await;
            false
        }
    }
}
