//! Terminal safety: bytes from the capture never reach the terminal raw.
//!
//! One generated capture where every field a terminal format shows carries every C0
//! control (LF aside, which ends lines), DEL, every C1 control (as UTF-8), ESC/CSI/OSC
//! sequences, bidi overrides and invalid UTF-8: the greeting (and a line of a multi-line
//! greeting), USER, PASS (shown with `--show-passwords`), a CWD argument and its reply,
//! a FEAT reply's lines, SYST's and PWD's replies, a listing's lines, the file names of
//! RETR, STOR and STOU and the name a server gives an STOU upload. A second session sends
//! a 20,000-byte user name.
//!
//! The timeline (into a file, drawn off-thread; from stdin, streamed; with `-v`; with the
//! live capture's `~ live` lines) and the table must hold no byte below 0x20 but LF, no
//! DEL, no C1 control, no character that reorders or hides text, only valid UTF-8, and
//! must show each field's escaped form (so the test cannot pass by dropping content).
//! JSON keeps the text as it was (lossy UTF-8, its own escaping).

use ftpflow::analyze::{Analyzer, Config};
use ftpflow::capture::Input;
use ftpflow::report::{self, Format, RenderOptions};
use ftpflow_synth::capfile;
use ftpflow_synth::ftp::{DataChannel, FtpConfig, FtpSession, Who};
use ftpflow_synth::net::Net;
use ftpflow_synth::sink::Trace;
use ftpflow_synth::tcp::CloseStyle;
use ftpflow_synth::truth::Setup;
use serde_json::Value;
use std::cell::RefCell;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::sync::OnceLock;

/// The hostile part of every field: each C0 control but LF, DEL, each C1 control,
/// ESC/CSI/OSC sequences, bidi controls and invalid UTF-8 (a bad pair, a cut sequence, a
/// lone continuation byte, 0xFF 0xFE).
fn hostile() -> Vec<u8> {
    let mut v = Vec::new();
    v.extend((0u8..0x20).filter(|&b| b != b'\n'));
    v.push(0x7f);
    for c in 0x80u32..0xa0 {
        let mut buf = [0u8; 4];
        v.extend_from_slice(char::from_u32(c).unwrap().encode_utf8(&mut buf).as_bytes());
    }
    v.extend_from_slice(b"\x1b[2J\x1b]0;title\x07\x1b[31m");
    v.extend_from_slice("\u{202e}\u{2066}".as_bytes());
    v.extend_from_slice(b"\xc3\x28 \xe6\x96 \x80 \xff\xfe");
    v
}

/// What [`hostile`] must look like on a terminal, written out by hand.
fn hostile_escaped() -> String {
    let mut s = String::new();
    for b in (0u8..0x20).filter(|&b| b != b'\n') {
        s.push_str(&format!("\\x{b:02x}"));
    }
    s.push_str("\\x7f");
    for c in 0x80u32..0xa0 {
        s.push_str(&format!("\\u{{{c:x}}}"));
    }
    s.push_str("\\x1b[2J\\x1b]0;title\\x07\\x1b[31m");
    s.push_str("\\u{202e}\\u{2066}");
    s.push_str("\\xc3( \\xe6\\x96 \\x80 \\xff\\xfe");
    s
}

/// A field's content: `[name` + the hostile bytes + `]`, as the parser will keep it.
fn field(name: &str) -> Vec<u8> {
    let mut v = format!("[{name}").into_bytes();
    v.extend(hostile());
    v.push(b']');
    v
}

/// The field as it must appear, whole, on a terminal.
fn field_escaped(name: &str) -> String {
    format!("[{name}{}]", hostile_escaped())
}

/// The first `n` characters of the field's escaped form (where a line shortens it).
fn field_escaped_prefix(name: &str, n: usize) -> String {
    field_escaped(name).chars().take(n).collect()
}

/// Control-connection bytes: Telnet's IAC (0xFF) doubled, as RFC 854 asks, so that the
/// line keeps it as data.
fn telnet(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    for &b in bytes {
        out.push(b);
        if b == 0xff {
            out.push(0xff);
        }
    }
    out
}

/// One control line: `head` then the field, then CR LF.
fn line(head: &str, content: &[u8], tail: &str) -> Vec<u8> {
    let mut v = head.as_bytes().to_vec();
    v.extend(telnet(content));
    v.extend_from_slice(tail.as_bytes());
    v.extend_from_slice(b"\r\n");
    v
}

const CLIENT: &str = "10.9.0.1:40001";
const SERVER: &str = "10.9.0.2:21";
const LONG_CLIENT: &str = "10.9.0.3:40003";
const LONG_SERVER: &str = "10.9.0.4:21";
const LONG_USER: usize = 20_000;

/// A passive data connection: PASV, its 227, and the channel to `port`.
fn passive(s: &mut FtpSession<'_, '_>, port: u16, client_port: u16) -> DataChannel {
    let server = s.server();
    let ip = match server.ip() {
        std::net::IpAddr::V4(ip) => ip.octets(),
        _ => unreachable!("IPv4 server"),
    };
    s.raw(Who::Client, b"PASV\r\n");
    s.raw(
        Who::Server,
        format!(
            "227 Entering Passive Mode ({},{},{},{},{},{}).\r\n",
            ip[0],
            ip[1],
            ip[2],
            ip[3],
            port >> 8,
            port & 0xff
        )
        .as_bytes(),
    );
    let listener = SocketAddr::new(server.ip(), port);
    DataChannel {
        setup: Setup::Pasv,
        announced: listener,
        listener,
        connector: SocketAddr::new(s.client().ip(), client_port),
    }
}

/// A transfer: the command, 150, the data connection carrying `data` from `sender`, 226.
fn transfer(
    s: &mut FtpSession<'_, '_>,
    chan: &DataChannel,
    command: Vec<u8>,
    prelim: Vec<u8>,
    sender: Who,
    data: &[u8],
) {
    s.raw(Who::Client, &command);
    s.raw(Who::Server, &prelim);
    let mut d = s.open_data(chan);
    s.data_handshake(&mut d);
    s.data_send(&mut d, sender, data);
    s.data_close(&mut d, CloseStyle::FourWay, sender);
    s.raw(Who::Server, b"226 Transfer complete.\r\n");
}

fn hostile_session(net: &mut Net<'_>) {
    let cfg = FtpConfig::new(CLIENT.parse().unwrap(), SERVER.parse().unwrap());
    let mut s = FtpSession::connect(net, cfg);
    // A multi-line greeting: its first line and a middle line are hostile.
    let mut greeting = line("220-", &field("greeting"), "");
    greeting.extend(line(" ", &field("greeting-line"), ""));
    greeting.extend_from_slice(b"220 ready\r\n");
    s.raw(Who::Server, &greeting);
    s.raw(Who::Client, &line("USER ", &field("user"), ""));
    s.raw(Who::Server, &line("331 ", &field("331"), ""));
    s.raw(Who::Client, &line("PASS ", &field("pass"), ""));
    s.raw(Who::Server, b"230 Logged on\r\n");
    s.raw(Who::Client, b"SYST\r\n");
    s.raw(Who::Server, &line("215 ", &field("syst"), ""));
    s.raw(Who::Client, b"FEAT\r\n");
    let mut feat = b"211-Features:\r\n".to_vec();
    feat.extend(line(" ", &field("feat-line"), ""));
    feat.extend_from_slice(b"211 End\r\n");
    s.raw(Who::Server, &feat);
    s.raw(Who::Client, &line("CWD ", &field("cwd"), ""));
    s.raw(Who::Server, &line("550 ", &field("cwd-reply"), ""));
    // Address arguments that do not parse (their findings quote them) and a line whose
    // verb itself is hostile.
    s.raw(Who::Client, &line("PORT ", &field("port"), ""));
    s.raw(Who::Server, b"501 Illegal PORT command.\r\n");
    s.raw(Who::Client, &line("EPRT |1|", &field("eprt"), "|"));
    s.raw(Who::Server, b"501 Illegal EPRT command.\r\n");
    s.raw(Who::Client, &line("", &field("verb"), ""));
    s.raw(Who::Server, b"500 Unknown command.\r\n");
    // A backslash in a verb and in an argument: shown doubled, so that every backslash
    // on the terminal starts an escape.
    s.raw(Who::Client, b"X\\Y C:\\dir\r\n");
    s.raw(Who::Server, b"500 Unknown command.\r\n");
    s.raw(Who::Client, b"PWD\r\n");
    s.raw(
        Who::Server,
        &line("257 \"", &field("pwd"), "\" is current directory"),
    );

    let mut listing = Vec::new();
    for i in 0..3 {
        listing.extend_from_slice(b"-rw-r--r-- 1 ftp ftp 10 Jan 01 00:00 ");
        listing.extend(field(&format!("listing{i}")));
        listing.extend_from_slice(b"\r\n");
    }
    let chan = passive(&mut s, 50_001, 40_101);
    transfer(
        &mut s,
        &chan,
        b"LIST\r\n".to_vec(),
        b"150 Here comes the directory listing.\r\n".to_vec(),
        Who::Server,
        &listing,
    );
    let chan = passive(&mut s, 50_002, 40_102);
    transfer(
        &mut s,
        &chan,
        line("RETR ", &field("retr"), ""),
        b"150 Opening BINARY mode data connection.\r\n".to_vec(),
        Who::Server,
        b"file content",
    );
    let chan = passive(&mut s, 50_003, 40_103);
    transfer(
        &mut s,
        &chan,
        line("STOR ", &field("stor"), ""),
        b"150 Ok to send data.\r\n".to_vec(),
        Who::Client,
        b"uploaded",
    );
    let chan = passive(&mut s, 50_004, 40_104);
    transfer(
        &mut s,
        &chan,
        b"STOU\r\n".to_vec(),
        line("150 FILE: ", &field("stou"), ""),
        Who::Client,
        b"unique",
    );
    s.raw(Who::Client, b"QUIT\r\n");
    s.raw(Who::Server, b"221 Goodbye.\r\n");
    s.close(CloseStyle::FourWay, Who::Client);
}

fn long_user_session(net: &mut Net<'_>) {
    let cfg = FtpConfig::new(LONG_CLIENT.parse().unwrap(), LONG_SERVER.parse().unwrap());
    let mut s = FtpSession::connect(net, cfg);
    s.raw(Who::Server, b"220 ready\r\n");
    let mut user = b"USER ".to_vec();
    user.extend(std::iter::repeat_n(b'u', LONG_USER));
    user.extend_from_slice(b"\r\n");
    s.raw(Who::Client, &user);
    s.raw(Who::Server, b"331 Password required.\r\n");
    s.raw(Who::Client, b"QUIT\r\n");
    s.raw(Who::Server, b"221 Goodbye.\r\n");
    s.close(CloseStyle::FourWay, Who::Client);
}

/// The capture, written once.
fn capture() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let mut trace = Trace::new();
        let truth = {
            let mut net = Net::new(&mut trace, 1_700_000_000_000_000_000, 7);
            hostile_session(&mut net);
            net.advance(1_000_000_000);
            long_user_session(&mut net);
            net.finish()
        };
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("terminal_safety");
        let files = capfile::write_pair(&dir, "hostile", &trace, &truth).expect("write capture");
        files[0].clone()
    })
}

/// `ftpflow analyze` with `args` (and `--show-passwords --color never`), the capture as a
/// path or on stdin.
fn run(args: &[&str], stdin: bool) -> Vec<u8> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ftpflow"));
    cmd.args(["analyze", "--show-passwords", "--color", "never"])
        .args(args);
    let out = if stdin {
        let mut child = cmd
            .arg("-")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run ftpflow");
        let bytes = std::fs::read(capture()).unwrap();
        child.stdin.take().unwrap().write_all(&bytes).unwrap();
        child.wait_with_output().unwrap()
    } else {
        cmd.arg(capture()).output().expect("run ftpflow")
    };
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_terminal_safe(&format!("stderr of {args:?}"), &out.stderr);
    out.stdout
}

/// Characters that must never reach a terminal from the capture.
fn forbidden(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// No raw control, C1, bidi control or invalid UTF-8 in `out`.
fn assert_terminal_safe(what: &str, out: &[u8]) {
    if let Some(at) = out
        .iter()
        .position(|&b| (b < 0x20 && b != b'\n') || b == 0x7f)
    {
        panic!(
            "{what}: raw byte {:#04x} at {at}: {:?}",
            out[at],
            String::from_utf8_lossy(&out[at.saturating_sub(40)..(at + 40).min(out.len())])
        );
    }
    let text = match std::str::from_utf8(out) {
        Ok(t) => t,
        Err(e) => panic!("{what}: invalid UTF-8 at {}", e.valid_up_to()),
    };
    if let Some((at, c)) = text.char_indices().find(|&(_, c)| forbidden(c)) {
        panic!("{what}: raw {c:?} at byte {at}");
    }
}

/// The text of `out`, checked safe.
fn safe_text(what: &str, out: Vec<u8>) -> String {
    assert_terminal_safe(what, &out);
    String::from_utf8(out).unwrap()
}

fn assert_shows(what: &str, text: &str, wanted: &str) {
    assert!(
        text.contains(wanted),
        "{what} lacks {wanted:?}\n--- output ---\n{text}"
    );
}

/// The fields every timeline shows whole, on their step lines.
const WHOLE_IN_TIMELINE: &[&str] = &[
    "greeting",
    "greeting-line",
    "user",
    "331",
    "pass",
    "syst",
    "feat-line",
    "cwd",
    "cwd-reply",
    "port",
    "eprt",
    "pwd",
    "retr",
    "stor",
    "stou",
];

fn check_timeline(what: &str, text: &str) {
    for name in WHOLE_IN_TIMELINE {
        assert_shows(what, text, &field_escaped(name));
    }
    // Listing lines and transfer names are shortened: their beginning is there, escaped.
    for i in 0..3 {
        assert_shows(
            what,
            text,
            &field_escaped_prefix(&format!("listing{i}"), 60),
        );
    }
    assert_shows(what, text, &field_escaped_prefix("retr", 30));
    // The summary names the user shortened like its step line would, and the STOU name.
    assert_shows(
        what,
        text,
        &format!("user {}", field_escaped_prefix("user", 40)),
    );
    assert_shows(
        what,
        text,
        &format!("stored as {}", field_escaped_prefix("stou", 30)),
    );
    assert_shows(
        what,
        text,
        &format!("greeting \"{}", field_escaped_prefix("greeting", 30)),
    );
    assert_shows(what, text, "C→S  X\\\\Y C:\\\\dir");
    assert_long_user_shortened(what, text);
}

/// The 20,000-byte user name is cut on every line, the summary included.
fn assert_long_user_shortened(what: &str, text: &str) {
    let longest = text.split(|c| c != 'u').map(str::len).max().unwrap_or(0);
    assert!(
        (40..=60).contains(&longest),
        "{what}: the long user name shows {longest} characters in a row"
    );
    assert_shows(what, text, "(20,000 bytes)");
}

#[test]
fn the_timeline_into_a_file_shows_every_field_escaped() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("terminal_safety")
        .join("timeline.txt");
    let stdout = run(
        &["--format", "timeline", "-o", out.to_str().unwrap()],
        false,
    );
    assert!(stdout.is_empty());
    let text = safe_text("timeline into a file", std::fs::read(&out).unwrap());
    check_timeline("timeline into a file", &text);
}

#[test]
fn the_streamed_and_verbose_timelines_show_every_field_escaped() {
    let streamed = safe_text("streamed timeline", run(&["--format", "timeline"], true));
    check_timeline("streamed timeline", &streamed);
    let verbose = safe_text(
        "verbose timeline",
        run(&["--format", "timeline", "-v"], false),
    );
    check_timeline("verbose timeline", &verbose);
}

#[test]
fn the_table_shows_capture_text_escaped_and_shortened() {
    let text = safe_text("table", run(&["--format", "table"], false));
    assert_shows("table", &text, &field_escaped_prefix("user", 32));
    assert_shows("table", &text, &field_escaped_prefix("retr", 32));
    assert_shows("table", &text, &field_escaped_prefix("stor", 32));
    assert_long_user_shortened_in_table(&text);
}

fn assert_long_user_shortened_in_table(text: &str) {
    let longest = text.split(|c| c != 'u').map(str::len).max().unwrap_or(0);
    assert!(
        (30..=40).contains(&longest),
        "table: the long user name shows {longest} characters in a row"
    );
}

/// A `Write` whose bytes stay readable after the sink that owns it is gone.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn live_progress_lines_show_capture_text_escaped() {
    // The live capture's configuration, fed from the file: commands answered and transfers
    // done are told as `~ live` lines before their session ends.
    let mut cfg = Config::default().show_passwords();
    cfg.tracker.session.live_progress = true;
    let out = Shared::default();
    let opts = RenderOptions {
        verbose: false,
        color: false,
        ..Default::default()
    };
    let sink = report::sink(Format::Timeline, &opts, Box::new(out.clone()), true, false);
    let mut analyzer = Analyzer::with_sink(cfg, sink);
    analyzer.read(&Input::Path(capture().to_path_buf()));
    analyzer.finish().expect("write the timeline");
    let text = safe_text("live timeline", out.0.borrow().clone());
    let live: Vec<&str> = text.lines().filter(|l| l.starts_with("~ live")).collect();
    let live = live.join("\n");
    for name in ["user", "pass", "cwd", "retr", "stor"] {
        assert_shows("live lines", &live, &field_escaped_prefix(name, 40));
    }
    assert_shows("live lines", &live, &field_escaped_prefix("cwd-reply", 40));
    check_timeline("live timeline", &text);
}

#[test]
fn json_keeps_the_text_as_sent() {
    let doc: Value = serde_json::from_slice(&run(&["--format", "json"], false)).unwrap();
    let lossy = |name: &str| String::from_utf8_lossy(&field(name)).into_owned();
    let session = doc["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["user"].as_str() == Some(&lossy("user")))
        .expect("the hostile session");
    assert_eq!(session["user"].as_str(), Some(lossy("user").as_str()));
    assert_eq!(
        session["greeting"]["lines"][0].as_str(),
        Some(lossy("greeting").as_str())
    );
    let commands = session["commands"].as_array().unwrap();
    let arg = |verb: &str| {
        commands
            .iter()
            .find(|c| c["command"] == verb)
            .and_then(|c| c["arg"].as_str())
            .map(str::to_string)
    };
    assert_eq!(arg("PASS"), Some(lossy("pass")));
    assert_eq!(arg("CWD"), Some(lossy("cwd")));
    assert_eq!(arg("RETR"), Some(lossy("retr")));
    let cwd = commands.iter().find(|c| c["command"] == "CWD").unwrap();
    assert_eq!(
        cwd["reply_text"].as_str(),
        Some(lossy("cwd-reply").as_str())
    );
    let stou = session["transfers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["command"] == "STOU")
        .unwrap();
    assert_eq!(stou["stored_as"].as_str(), Some(lossy("stou").as_str()));
}

#[test]
fn forced_colour_keeps_ftpflow_own_codes_and_escapes_the_capture() {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ftpflow"));
    let out = cmd
        .args(["analyze", "--show-passwords", "--color", "always"])
        .arg(capture())
        .output()
        .expect("run ftpflow");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    // ftpflow's own styling: SGR sequences with the codes report::Style uses. Any other
    // ESC would have come from the capture.
    let mut own = 0;
    let mut rest = text.as_str();
    while let Some(at) = rest.find('\x1b') {
        let seq = &rest[at..];
        let code = seq
            .strip_prefix("\x1b[")
            .and_then(|s| s.split_once('m'))
            .map(|(code, _)| code);
        assert!(
            matches!(code, Some("0" | "1" | "2" | "31" | "32" | "33" | "36")),
            "an ESC that is not ftpflow's styling: {:?}",
            &seq[..seq.len().min(20)]
        );
        own += 1;
        rest = &seq[1..];
    }
    assert!(own > 100, "colour is off: {own} styling codes");
    let plain: String = {
        let mut s = String::new();
        let mut in_code = false;
        for c in text.chars() {
            match (in_code, c) {
                (false, '\x1b') => in_code = true,
                (true, 'm') => in_code = false,
                (true, _) => {}
                (false, c) => s.push(c),
            }
        }
        s
    };
    assert_terminal_safe("coloured timeline without its styling", plain.as_bytes());
    for name in WHOLE_IN_TIMELINE {
        assert_shows("coloured timeline", &plain, &field_escaped(name));
    }
}

#[test]
fn a_text_file_given_as_capture_is_quoted_safely_on_stderr() {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("terminal_safety")
        .join("not-a-capture.txt");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "hello \u{202e}dlrow\u{2066} \u{200f}x\ty\x0cz\r\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ftpflow"))
        .args(["analyze"])
        .arg(&path)
        .output()
        .expect("run ftpflow");
    assert_terminal_safe("stderr", &out.stderr);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_shows(
        "stderr",
        &err,
        "hello \\u{202e}dlrow\\u{2066} \\u{200f}x\\ty",
    );
}
