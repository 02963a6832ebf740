//! `dmtool serve` and `dmtool device` as two real processes on loopback: a package
//! installed by alternate download, the device restarted with its components kept, and
//! hostile HTTP input answered with errors while the server keeps serving.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

struct Server {
    child: Child,
    url: String,
    log: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("dmtool-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn serve(args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dmtool"))
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    // "listening on http://127.0.0.1:PORT/dm (...)"
    let url = first.split_whitespace().nth(2).unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");
    let log = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in out.lines() {
            let Ok(line) = line else { break };
            let mut s = sink.lock().unwrap();
            s.push_str(&line);
            s.push('\n');
        }
    });
    Server { child, url, log }
}

fn device(url: &str, state: &Path, extra: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dmtool"))
        .args(["device", "--server", url, "--state"])
        .arg(state)
        .args(extra)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        eprintln!("{text}\n{}", String::from_utf8_lossy(&out.stderr));
    }
    (out.status.success(), text)
}

/// A package in the documented `DMPKG 1` format, written by hand.
fn package(id: &str, version: &str) -> Vec<u8> {
    let mut p = format!("DMPKG 1\nID: {id}\nName: {id} app\nVersion: {version}\n\n").into_bytes();
    p.extend_from_slice(b"F 6 bin/run\nhello!\n");
    p
}

fn raw_post(url: &str, content_type: &str, claimed_len: usize, body: &[u8]) -> String {
    let addr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let mut s = TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "POST /dm HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {claimed_len}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let _ = s.write_all(body);
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    reply.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn serve_and_device_as_two_processes() {
    let dir = temp_dir("serve-device");
    let files = dir.join("files");
    std::fs::create_dir_all(&files).unwrap();
    let app1 = package("App1", "1.0");
    std::fs::write(files.join("app1.dmpkg"), &app1).unwrap();
    let digest = scomo_tree::integrity::sha256_hex(&app1);
    let ops = dir.join("ops.txt");
    std::fs::write(
        &ops,
        format!(
            "# first session\ninventory\ndownload App1 {{base}}/files/app1.dmpkg {digest}\nend-session\n\
             # second session\ndeactivate App1\ninventory\n"
        ),
    )
    .unwrap();
    let server = serve(&[
        "--listen",
        "127.0.0.1:0",
        "--ops",
        ops.to_str().unwrap(),
        "--files",
        files.to_str().unwrap(),
        "--max-body",
        "100000",
    ]);
    let state = dir.join("state");

    // The device installs only after the session, so its result is still to report when
    // the process exits.
    let (ok, text) = device(&server.url, &state, &["--defer-jobs"]);
    assert!(ok);
    assert!(text.contains("App1 DownloadInstall: result 1200"), "{text}");
    assert!(text.contains("component App1 1.0 (active)"), "{text}");
    assert!(text.contains("1 alerts unacknowledged"), "{text}");
    assert!(state.join("components/App1/files/bin/run").exists());
    assert!(!server.log.lock().unwrap().contains("=> result 1200"));

    // Hostile input: each answered with an HTTP error.
    let xml = "application/vnd.syncml.dm+xml";
    assert!(raw_post(&server.url, "text/plain", 5, b"hello").contains(" 415"));
    assert!(raw_post(&server.url, xml, 7, b"garbage").contains(" 400"));
    let junk: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    assert!(raw_post(
        &server.url,
        "application/vnd.syncml.dm+wbxml",
        junk.len(),
        &junk
    )
    .contains(" 400"));
    assert!(raw_post(&server.url, xml, 5_000_000, b"<SyncML>").contains(" 413"));

    // The device restarts from its state directory, the pending alert goes out in the next
    // session, then the server's next session deactivates App1. The server still serves.
    let (ok, text) = device(&server.url, &state, &["--sessions", "2"]);
    assert!(ok);
    assert!(
        text.contains("restored from") && text.contains("(1 components, 1 alerts pending)"),
        "{text}"
    );
    assert!(text.contains("0 alerts unacknowledged"), "{text}");
    assert!(text.contains("App1 Deactivate: result 1200"), "{text}");
    assert!(text.contains("component App1 1.0 (inactive)"), "{text}");

    let log = server.log.lock().unwrap().clone();
    assert!(log.contains("authenticated (syncml:auth-md5)"), "{log}");
    assert!(log.contains("inventory: empty"), "{log}");
    assert!(
        log.contains("waiting for a later session")
            && log.contains("app1.dmpkg => result 1200 (Successful)"),
        "{log}"
    );
    assert!(log.contains("inventory: App1 1.0 (inactive)"), "{log}");
    assert!(log.contains("HTTP 415"), "{log}");
    assert!(log.contains("HTTP 413"), "{log}");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
