//! HTTP on both sides: tiny_http servers (DM and alternate download) and a ureq client.

use std::collections::HashMap;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use scomo_tree::installer::Fetcher;
use scomo_tree::ResultCode;
use tiny_http::{Header, Method, Request, Response, Server};

use super::server::DmServer;
use super::{Log, MIME_WBXML, MIME_XML};

/// A server running on its own thread.
pub(crate) struct Running {
    /// Where it listens.
    pub(crate) addr: SocketAddr,
    server: Arc<Server>,
    thread: Option<JoinHandle<()>>,
}

impl Running {
    /// `http://<addr><path>`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops the server and waits for its thread.
    pub(crate) fn stop(mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn respond_text(req: Request, code: u16, text: &str) {
    let mut resp = Response::from_string(text).with_status_code(code);
    if let Some(h) = header("Content-Type", "text/plain; charset=utf-8") {
        resp = resp.with_header(h);
    }
    let _ = req.respond(resp);
}

fn bind(addr: &str) -> Result<(Arc<Server>, SocketAddr), String> {
    let server = Server::http(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| format!("{addr} is not an IP address"))?;
    Ok((Arc::new(server), local))
}

fn spawn(addr: &str, mut handler: impl FnMut(Request) + Send + 'static) -> Result<Running, String> {
    let (server, local) = bind(addr)?;
    let s = Arc::clone(&server);
    let thread = std::thread::spawn(move || {
        // `incoming_requests` ends when the server is unblocked.
        for req in s.incoming_requests() {
            handler(req);
        }
    });
    Ok(Running {
        addr: local,
        server,
        thread: Some(thread),
    })
}

/// Serves a DM server over HTTP POST at any path; with `files`, also answers
/// `GET /files/<name>` from that directory (a simple alternate download server).
pub(crate) fn serve_dm(
    addr: &str,
    dm: Arc<DmServer>,
    log: Log,
    files: Option<PathBuf>,
) -> Result<Running, String> {
    spawn(addr, move |req| {
        if req.method() == &Method::Get {
            if let Some(dir) = &files {
                return serve_file(req, dir, &log);
            }
        }
        handle_dm(req, &dm, &log);
    })
}

fn serve_file(req: Request, dir: &Path, log: &Log) {
    let url = req.url().to_owned();
    let name = url.strip_prefix("/files/").filter(|n| {
        !n.is_empty()
            && !n.starts_with('.')
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
    });
    match name.and_then(|n| std::fs::read(dir.join(n)).ok()) {
        Some(bytes) => {
            log.line(&format!("[download] GET {url}: {} bytes", bytes.len()));
            let _ = req.respond(Response::from_data(bytes));
        }
        None => {
            log.line(&format!("[download] GET {url}: 404"));
            respond_text(req, 404, "not found");
        }
    }
}

fn handle_dm(mut req: Request, dm: &DmServer, log: &Log) {
    let id = dm.server_id().to_owned();
    let refuse = |req: Request, code: u16, why: &str| {
        log.line(&format!("[{id}] HTTP {code}: {why}"));
        respond_text(req, code, why);
    };
    if req.method() != &Method::Post {
        return refuse(req, 405, "only POST is accepted");
    }
    let content_type = req
        .headers()
        .iter()
        .find(|h| h.field.equiv("Content-Type"))
        .map(|h| h.value.as_str().to_owned())
        .unwrap_or_default();
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if mime != MIME_XML && mime != MIME_WBXML {
        return refuse(req, 415, "expected a DM media type");
    }
    let max = dm.max_body();
    if req.body_length().is_some_and(|n| n > max) {
        return refuse(req, 413, "body too large");
    }
    let mut body = Vec::new();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    if req.as_reader().take(limit).read_to_end(&mut body).is_err() {
        return refuse(req, 400, "cannot read the body");
    }
    if body.len() > max {
        return refuse(req, 413, "body too large");
    }
    let hmac = req
        .headers()
        .iter()
        .find(|h| h.field.equiv("x-syncml-hmac"))
        .map(|h| h.value.as_str().to_owned());
    match dm.handle(&body, hmac.as_deref()) {
        Ok(reply) => {
            let mut resp = Response::from_data(reply.body);
            if let Some(h) = header("Content-Type", reply.content_type) {
                resp = resp.with_header(h);
            }
            if let Some(h) = reply.hmac.and_then(|v| header("x-syncml-hmac", &v)) {
                resp = resp.with_header(h);
            }
            let _ = req.respond(resp);
        }
        Err(e) => refuse(req, 400, &e.0),
    }
}

/// Serves fixed files over GET (the alternate download server).
pub(crate) fn serve_files(
    addr: &str,
    files: HashMap<String, Vec<u8>>,
    log: Log,
) -> Result<Running, String> {
    spawn(addr, move |req| {
        let path = req.url().to_owned();
        match (req.method(), files.get(&path)) {
            (Method::Get, Some(bytes)) => {
                log.line(&format!("[download] GET {path}: {} bytes", bytes.len()));
                let mut resp = Response::from_data(bytes.clone());
                if let Some(h) = header("Content-Type", "application/octet-stream") {
                    resp = resp.with_header(h);
                }
                let _ = req.respond(resp);
            }
            _ => {
                log.line(&format!("[download] {} {path}: 404", req.method()));
                respond_text(req, 404, "not found");
            }
        }
    })
}

/// POSTs a DM message; returns the reply body and its `x-syncml-hmac`.
pub(crate) fn post(
    url: &str,
    body: &[u8],
    content_type: &str,
    hmac: Option<&str>,
    max_reply: u64,
) -> Result<(Vec<u8>, Option<String>), String> {
    // A server that stops answering must not hang the device forever.
    let mut req = ureq::post(url)
        .config()
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .header("Content-Type", content_type);
    if let Some(h) = hmac {
        req = req.header("x-syncml-hmac", h);
    }
    let mut resp = req.send(body).map_err(|e| format!("POST {url}: {e}"))?;
    let reply_hmac = resp
        .headers()
        .get("x-syncml-hmac")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = resp
        .body_mut()
        .with_config()
        .limit(max_reply)
        .read_to_vec()
        .map_err(|e| format!("reading the reply from {url}: {e}"))?;
    Ok((bytes, reply_hmac))
}

/// Downloads packages over HTTP (alternate download), with a progress line on standard
/// error for large ones.
#[derive(Debug)]
pub(crate) struct HttpFetcher {
    /// Largest package accepted.
    pub(crate) max_size: u64,
    /// Show progress for packages at least this large.
    pub(crate) progress_from: u64,
}

impl Fetcher for HttpFetcher {
    fn fetch(&mut self, url: &str) -> Result<Vec<u8>, ResultCode> {
        let mut resp = ureq::get(url)
            .config()
            .timeout_global(Some(Duration::from_secs(600)))
            .build()
            .call()
            .map_err(|e| match e {
                ureq::Error::StatusCode(401 | 403) => ResultCode::DOWNLOAD_AUTH_FAILURE,
                ureq::Error::StatusCode(c) if c >= 500 => ResultCode::DOWNLOAD_SERVER_ERROR,
                ureq::Error::StatusCode(_) => ResultCode::DOWNLOAD_FAILED,
                _ => ResultCode::DOWNLOAD_SERVER_UNAVAILABLE,
            })?;
        let total = resp.body().content_length();
        if total.is_some_and(|t| t > self.max_size) {
            return Err(ResultCode::DOWNLOAD_OUT_OF_MEMORY);
        }
        let show = total.is_some_and(|t| t >= self.progress_from);
        let mut reader = resp.body_mut().with_config().limit(self.max_size).reader();
        let mut out = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        let mut last_pct = 0u64;
        loop {
            let n = reader
                .read(&mut buf)
                .map_err(|_| ResultCode::DOWNLOAD_FAILED)?;
            let Some(chunk) = buf.get(..n) else { break };
            if chunk.is_empty() {
                break;
            }
            out.extend_from_slice(chunk);
            if let (true, Some(t)) = (show, total) {
                let pct = (out.len() as u64).saturating_mul(100) / t.max(1);
                if pct >= last_pct.saturating_add(10) || pct == 100 {
                    last_pct = pct;
                    eprint!("\rdownloading {url}: {pct:>3}% of {t} bytes");
                }
            }
        }
        if show {
            eprintln!();
        }
        Ok(out)
    }
}
