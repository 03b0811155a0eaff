//! [`FtpSession`]: one control connection, scripted command by command, with its truth.
//!
//! Every command and reply goes through here, so the truth's FIFO of pending commands is
//! kept exactly as a correct analyzer would keep it: a reply is given to the oldest command
//! still waiting; a final reply (2xx-5xx) retires it, a 1xx does not. A reply with nothing
//! waiting is the greeting (before any command) or unsolicited. Side effects follow the
//! final reply: `REST`+350 arms a restart offset for the next transfer, `SIZE`+213 remembers
//! a size, `AUTH`+234 switches the session to TLS (the truth then counts no more commands:
//! scripts send opaque bytes with [`FtpSession::raw`]).
//!
//! Peers that break the rules have their own calls: [`FtpSession::greeting`] (a greeting
//! sent after the client already pipelined commands), [`FtpSession::invalid_reply`] (a line
//! that is not a reply answers the oldest waiting command), [`FtpSession::reply_after_junk`]
//! (binary bytes glued in front of a reply) and [`FtpSession::midstream`] (a session that
//! began before the capture, so it has no greeting).

use crate::ftp::msg::{Cmd, Reply, ReplyEndpoint};
use crate::net::Net;
use crate::packet::Side;
use crate::tcp::{AckPolicy, CloseStyle, Peer, TcpConn};
use crate::truth::{
    CmdWire, CommandTruth, DataConnTruth, Direction, InferredTruth, Login, Mode, ReplyWire, Role,
    SessionTruth,
};
use std::collections::VecDeque;
use std::net::SocketAddr;

/// The two FTP roles (a data connection's TCP sides depend on the mode, these do not).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    Client,
    Server,
}

impl Who {
    pub fn other(self) -> Who {
        match self {
            Who::Client => Who::Server,
            Who::Server => Who::Client,
        }
    }
}

/// Whether the receiver of a command or reply sends a pure ACK before the next message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CtrlAcks {
    /// ACKs ride on the next message (a quick peer).
    Piggyback,
    /// Each message is ACKed on its own first (the delayed-ACK timer fires while the peer
    /// thinks or the user types), as in seed 001's numbered steps.
    Pure,
}

/// How a session's hosts and network behave.
#[derive(Clone, Debug)]
pub struct FtpConfig {
    /// The client's control endpoint (its address and ephemeral port) and stack.
    pub client: Peer,
    /// The server's control endpoint (normally port 21) and stack.
    pub server: Peer,
    /// Source port of active-mode data connections.
    pub server_data_port: u16,
    pub ctrl_acks: CtrlAcks,
    pub data_acks: AckPolicy,
    /// First port the client uses for passive data connections (default: control port + 1).
    pub next_client_port: Option<u16>,
    /// Time between a command arriving and the server's answer leaving.
    pub server_think_ns: i64,
}

impl FtpConfig {
    /// Linux hosts on both ends, active data from port 20, piggybacked control ACKs.
    pub fn new(client: SocketAddr, server: SocketAddr) -> FtpConfig {
        FtpConfig {
            client: Peer::linux(client),
            server: Peer::linux(server),
            server_data_port: 20,
            ctrl_acks: CtrlAcks::Piggyback,
            data_acks: AckPolicy::Delayed2,
            next_client_port: None,
            server_think_ns: 0,
        }
    }
}

/// A session's state without its borrow of the [`Net`] (see [`FtpSession::park`]).
pub struct Parked {
    pub(crate) cfg: FtpConfig,
    pub(crate) ctrl: TcpConn,
    pub(crate) sid: usize,
    pending: VecDeque<usize>,
    pub(crate) rest: Option<u64>,
    pub(crate) sizes: Vec<(String, u64)>,
    next_port: u16,
    /// The session began before the capture: its first reply is not a greeting.
    midstream: bool,
}

impl Parked {
    /// Continues the session on `net` (the same one it was created on).
    pub fn resume<'n, 's>(self, net: &'n mut Net<'s>) -> FtpSession<'n, 's> {
        FtpSession { net, st: self }
    }
}

/// One FTP session being scripted.
pub struct FtpSession<'n, 's> {
    pub(crate) net: &'n mut Net<'s>,
    pub(crate) st: Parked,
}

impl<'n, 's> FtpSession<'n, 's> {
    /// Registers the session and its control connection; emits nothing (a capture that
    /// starts mid-session begins here without a handshake).
    pub fn new(net: &'n mut Net<'s>, cfg: FtpConfig) -> FtpSession<'n, 's> {
        let mut ctrl = TcpConn::new(net, cfg.client.clone(), cfg.server.clone());
        ctrl.acks = AckPolicy::Manual;
        net.set_role(ctrl.id, Role::Control);
        let sid = net.new_session(SessionTruth {
            id: 0,
            client: cfg.client.addr.to_string(),
            server: cfg.server.addr.to_string(),
            control_conn: ctrl.id,
            user: None,
            login: Login::Unknown,
            tls: false,
            greeting: None,
            greeting_frame: None,
            unsolicited_replies: Vec::new(),
            unsolicited_frames: Vec::new(),
            commands: Vec::new(),
            transfers: Vec::new(),
            greeting_wire: None,
            unsolicited_wire: Vec::new(),
            data_conns: Vec::new(),
            implicit_tls: false,
            inferred_transfers: Vec::new(),
        });
        let next_port = cfg
            .next_client_port
            .unwrap_or(cfg.client.addr.port().wrapping_add(1).max(1024));
        FtpSession {
            net,
            st: Parked {
                cfg,
                ctrl,
                sid,
                pending: VecDeque::new(),
                rest: None,
                sizes: Vec::new(),
                next_port,
                midstream: false,
            },
        }
    }

    /// A session already under way when the capture starts: its control connection is
    /// open ([`TcpConn::assume_open`]), its greeting and earlier commands happened before
    /// the first packet, so a reply with no command waiting is unsolicited (the truth has
    /// no greeting).
    pub fn midstream(net: &'n mut Net<'s>, cfg: FtpConfig) -> FtpSession<'n, 's> {
        let mut s = FtpSession::new(net, cfg);
        s.st.ctrl.assume_open(s.net);
        s.st.midstream = true;
        s
    }

    /// [`FtpSession::new`] and the control connection's three-way handshake.
    pub fn connect(net: &'n mut Net<'s>, cfg: FtpConfig) -> FtpSession<'n, 's> {
        let mut s = FtpSession::new(net, cfg);
        s.handshake();
        s
    }

    pub fn handshake(&mut self) {
        self.st.ctrl.handshake(self.net);
    }

    /// Sets the session aside so another can use the same `Net` (overlapping sessions).
    pub fn park(self) -> Parked {
        self.st
    }

    pub fn net(&mut self) -> &mut Net<'s> {
        self.net
    }

    pub fn config(&self) -> &FtpConfig {
        &self.st.cfg
    }

    pub fn client(&self) -> SocketAddr {
        self.st.cfg.client.addr
    }

    pub fn server(&self) -> SocketAddr {
        self.st.cfg.server.addr
    }

    /// The control connection (for direct TCP operations with [`FtpSession::net`]).
    pub fn ctrl(&mut self) -> (&mut TcpConn, &mut Net<'s>) {
        (&mut self.st.ctrl, self.net)
    }

    /// The next client port for a data connection (N+1, N+2, ... as seed 001 concludes).
    pub fn next_port(&mut self) -> u16 {
        let p = self.st.next_port;
        self.st.next_port = if p == u16::MAX { 1024 } else { p + 1 };
        p
    }

    fn side(who: Who) -> Side {
        match who {
            Who::Client => Side::Orig,
            Who::Server => Side::Resp,
        }
    }

    /// A pure ACK on the control connection.
    pub fn ack(&mut self, who: Who) {
        self.st.ctrl.ack(self.net, Self::side(who));
    }

    /// Sends `bytes` on the control connection as one write; returns their stream range.
    fn send_ctrl(&mut self, who: Who, bytes: &[u8]) -> (u64, u64) {
        let side = Self::side(who);
        let start = self.st.ctrl.sent(side);
        if who == Who::Server && self.st.cfg.server_think_ns > 0 {
            self.net.advance(self.st.cfg.server_think_ns);
        }
        self.st.ctrl.send(self.net, side, bytes);
        (start, start + bytes.len() as u64)
    }

    fn pure_ack(&mut self, receiver: Who) {
        if self.st.cfg.ctrl_acks == CtrlAcks::Pure {
            self.ack(receiver);
        }
    }

    /// Sends one command line.
    pub fn command(&mut self, c: Cmd) {
        let range = self.send_ctrl(Who::Client, &c.bytes());
        self.record_command(&c, range);
        self.pure_ack(Who::Server);
    }

    /// Sends several command lines in one segment (pipelining).
    pub fn commands(&mut self, cs: &[Cmd]) {
        let all: Vec<u8> = cs.iter().flat_map(|c| c.bytes()).collect();
        let (mut at, _) = self.send_ctrl(Who::Client, &all);
        for c in cs {
            let n = c.bytes().len() as u64;
            self.record_command(c, (at, at + n));
            at += n;
        }
        self.pure_ack(Who::Server);
    }

    /// Sends one reply.
    pub fn reply(&mut self, r: Reply) {
        let range = self.send_ctrl(Who::Server, &r.bytes());
        self.record_reply(&r, range);
        self.pure_ack(Who::Client);
    }

    /// Sends several replies in one segment.
    pub fn replies(&mut self, rs: &[Reply]) {
        let all: Vec<u8> = rs.iter().flat_map(|r| r.bytes()).collect();
        let (mut at, _) = self.send_ctrl(Who::Server, &all);
        for r in rs {
            let n = r.bytes().len() as u64;
            self.record_reply(r, (at, at + n));
            at += n;
        }
        self.pure_ack(Who::Client);
    }

    /// Sends the greeting, recorded as such even when commands are already waiting (a
    /// client that pipelines USER, PASS, ... before the 220 arrives): it answers none of them.
    pub fn greeting(&mut self, r: Reply) {
        let range = self.send_ctrl(Who::Server, &r.bytes());
        let wire = self.reply_wire(&r, range);
        let sess = self.net.session(self.st.sid);
        assert!(sess.greeting.is_none(), "one greeting per session");
        sess.greeting = Some(r.code);
        sess.greeting_wire = Some(wire);
        self.pure_ack(Who::Client);
    }

    /// Sends `line` and CRLF where a reply is due, though it is not a reply (no 3-digit code
    /// and space or hyphen: `99 PASV invalid`, `SYST not supported`, `230_no_space`). It
    /// answers the oldest waiting command, as a final answer: that command gets no reply
    /// code (`null` in `reply_codes`), and the commands after it keep their own replies.
    pub fn invalid_reply(&mut self, line: &str) {
        let mut bytes = line.as_bytes().to_vec();
        bytes.extend_from_slice(b"\r\n");
        let range = self.send_ctrl(Who::Server, &bytes);
        let idx = self
            .st
            .pending
            .pop_front()
            .expect("an invalid reply answers a waiting command");
        let sess = self.net.session(self.st.sid);
        sess.commands[idx].wire.replies.push(ReplyWire {
            code: None,
            last_text: line.to_string(),
            range,
            endpoint: None,
        });
        self.pure_ack(Who::Client);
    }

    /// Sends `junk` (binary bytes, no line break) and the reply in one segment; the reply
    /// counts as if the junk were not there (its range starts after the junk).
    pub fn reply_after_junk(&mut self, junk: &[u8], r: Reply) {
        let mut bytes = junk.to_vec();
        bytes.extend_from_slice(&r.bytes());
        let (start, end) = self.send_ctrl(Who::Server, &bytes);
        self.record_reply(&r, (start + junk.len() as u64, end));
        self.pure_ack(Who::Client);
    }

    /// Sends one reply in two segments, cut after `at` bytes.
    pub fn reply_split(&mut self, r: Reply, at: usize) {
        let b = r.bytes();
        assert!(at > 0 && at < b.len(), "split point inside the reply");
        let (start, _) = self.send_ctrl(Who::Server, &b[..at]);
        self.send_ctrl(Who::Server, &b[at..]);
        self.record_reply(&r, (start, start + b.len() as u64));
        self.pure_ack(Who::Client);
    }

    /// A command and its reply.
    pub fn exchange(&mut self, c: Cmd, r: Reply) {
        self.command(c);
        self.reply(r);
    }

    /// USER / 331 / PASS / 230 with common texts.
    pub fn login(&mut self, user: &str, pass: &str) {
        self.exchange(
            Cmd::new("USER", Some(user)),
            Reply::new(331, &format!("Password required for {user}.")),
        );
        self.exchange(Cmd::new("PASS", Some(pass)), Reply::new(230, "Logged on"));
    }

    /// Implicit FTPS: the control connection speaks TLS from its first byte.
    pub fn implicit_tls(&mut self) {
        self.net.session(self.st.sid).implicit_tls = true;
    }

    /// A data connection of the session while its control connection is encrypted (PROT
    /// P): the client's `client_port` and the server's `server_port`; `mode` says who
    /// opens it (passive: the client; active: the server). It carries a TLS handshake,
    /// then `bytes` of TLS application data the way `direction` goes, then closes (the
    /// sender first). The truth lists it as inferred.
    pub fn tls_data(
        &mut self,
        mode: Mode,
        (client_port, server_port): (u16, u16),
        direction: Direction,
        bytes: usize,
        seed: u64,
    ) {
        let client = self
            .st
            .cfg
            .client
            .at(SocketAddr::new(self.client().ip(), client_port));
        let server = self
            .st
            .cfg
            .server
            .at(SocketAddr::new(self.server().ip(), server_port));
        let (orig, resp, client_side) = match mode {
            Mode::Passive => (client, server, Side::Orig),
            Mode::Active => (server, client, Side::Resp),
        };
        let mut tcp = TcpConn::new(self.net, orig, resp);
        tcp.acks = self.st.cfg.data_acks;
        self.net.set_role(tcp.id, Role::Data);
        tcp.handshake(self.net);
        // The FTP client is the TLS client on the data connection too (RFC 4217 §7).
        tcp.send(self.net, client_side, &tls_record(0x16, 517, seed));
        tcp.send(
            self.net,
            client_side.other(),
            &tls_record(0x16, 1800, seed + 1),
        );
        tcp.send(self.net, client_side, &tls_record(0x14, 1, seed + 2));
        let sender = match direction {
            Direction::Upload => client_side,
            _ => client_side.other(),
        };
        let mut left = bytes;
        let mut k = 3;
        while left > 0 {
            let n = left.min(16_384);
            tcp.send(self.net, sender, &tls_record(0x17, n, seed + k));
            left -= n;
            k += 1;
        }
        tcp.close(self.net, CloseStyle::FourWay, sender);
        let data_conn = DataConnTruth {
            conn: tcp.id,
            orig: tcp.addr(Side::Orig).to_string(),
            resp: tcp.addr(Side::Resp).to_string(),
        };
        let sess = self.net.session(self.st.sid);
        sess.data_conns.push(data_conn.conn);
        sess.inferred_transfers.push(InferredTruth {
            data_conn,
            mode,
            direction,
            encrypted: true,
        });
    }

    /// Bytes that are not FTP lines (TLS records after AUTH TLS): not in the truth.
    pub fn raw(&mut self, who: Who, bytes: &[u8]) {
        self.send_ctrl(who, bytes);
    }

    /// The Telnet "Interrupt Process" then "Synch" a client sends before ABOR (RFC 959
    /// 4.1.3): `IAC IP IAC` as normal data, then `DM` as TCP urgent data.
    pub fn telnet_interrupt(&mut self) {
        self.st
            .ctrl
            .send_segment(self.net, Side::Orig, &[0xff, 0xf4, 0xff], 0, 0);
        self.st.ctrl.send_urgent(self.net, Side::Orig, &[0xf2]);
    }

    pub fn fin(&mut self, who: Who) {
        self.st.ctrl.fin(self.net, Self::side(who));
    }

    pub fn rst(&mut self, who: Who) {
        self.st.ctrl.rst(self.net, Self::side(who));
    }

    /// Closes the control connection.
    pub fn close(&mut self, style: CloseStyle, first: Who) {
        self.st.ctrl.close(self.net, style, Self::side(first));
    }

    fn record_command(&mut self, c: &Cmd, range: (u64, u64)) {
        let ts = self.net.now();
        let sess = self.net.session(self.st.sid);
        let idx = sess.commands.len();
        sess.commands.push(CommandTruth {
            ts_ns: ts,
            command: c.name(),
            arg: c.arg.clone(),
            reply_codes: Vec::new(),
            reply_code: None,
            reply_text: None,
            data_endpoint: None,
            captured: true,
            line_captured: true,
            replies_captured: Vec::new(),
            frame: None,
            reply_frames: Vec::new(),
            wire: CmdWire {
                range,
                replies: Vec::new(),
                endpoint: c.endpoint.map(|e| e.to_string()),
                transfer: None,
            },
        });
        self.st.pending.push_back(idx);
    }

    /// Index of the command most recently recorded.
    pub(crate) fn last_command(&mut self) -> usize {
        self.net.session(self.st.sid).commands.len() - 1
    }

    /// The bookkeeping of a reply about to be recorded.
    fn reply_wire(&self, r: &Reply, range: (u64, u64)) -> ReplyWire {
        let server_ip = self.st.cfg.server.addr.ip();
        let endpoint = r.endpoint.map(|e| match e {
            ReplyEndpoint::Addr(a) => a.to_string(),
            ReplyEndpoint::ServerPort(p) => SocketAddr::new(server_ip, p).to_string(),
        });
        ReplyWire {
            code: Some(r.code),
            last_text: r.last_text(),
            range,
            endpoint,
        }
    }

    fn record_reply(&mut self, r: &Reply, range: (u64, u64)) {
        let wire = self.reply_wire(r, range);
        let sid = self.st.sid;
        let midstream = self.st.midstream;
        let Some(&idx) = self.st.pending.front() else {
            let sess = self.net.session(sid);
            if !midstream && sess.commands.is_empty() && sess.greeting.is_none() {
                sess.greeting = Some(r.code);
                sess.greeting_wire = Some(wire);
            } else {
                sess.unsolicited_replies.push(r.code);
                sess.unsolicited_wire.push(wire);
            }
            return;
        };
        if r.is_final() {
            self.st.pending.pop_front();
        }
        let sess = self.net.session(sid);
        let cmd = &mut sess.commands[idx];
        cmd.wire.replies.push(wire);
        let verb = cmd.command.clone();
        let arg = cmd.arg.clone();
        if let Some(t) = cmd.wire.transfer {
            let t = &mut sess.transfers[t];
            if r.announced_size.is_some() {
                t.announced_size = r.announced_size;
            }
            if r.stored_as.is_some() {
                t.stored_as = r.stored_as.clone();
            }
        }
        match (verb.as_str(), r.code) {
            ("REST", 350) => self.st.rest = arg.and_then(|a| a.trim().parse().ok()),
            ("SIZE", 213) => {
                if let (Some(a), Some(n)) = (arg, r.announced_size) {
                    self.st.sizes.push((a, n));
                }
            }
            _ => {}
        }
    }
}

/// A TLS record with a real header (content type `kind`, TLS 1.2) and a pseudo-random
/// body of `len` bytes: opaque, as an analyzer sees encrypted traffic.
pub fn tls_record(kind: u8, len: usize, seed: u64) -> Vec<u8> {
    let mut r = vec![kind, 0x03, 0x03, (len >> 8) as u8, len as u8];
    let mut body = vec![0; len];
    crate::packet::Payload::pattern(len as u64, seed).fill(0, &mut body);
    r.extend(body);
    r
}
