//! Data connections and transfers: the PORT/EPRT/LPRT and PASV/EPSV/LPSV negotiations, the
//! data connection they lead to, and the order of events around a transfer.
//!
//! Two levels. [`FtpSession::transfer`] runs a whole transfer from an [`Xfer`] description
//! whose knobs cover what real servers do: the data SYN before the command (a passive client
//! connecting right after the 227), after the command, or after the 150; data before the
//! 150; the 226 before the data connection's close, between its two halves (seed 001), or
//! after it; a failed connection (425); ABOR mid-transfer (426 then 226). The mid-level
//! calls it is made of ([`FtpSession::begin_transfer`], [`FtpSession::open_data`],
//! `data_*`) let a script order every packet by hand, as the seed 001 sample does.

use crate::ftp::msg::{Cmd, Reply, ReplyEndpoint};
use crate::ftp::session::{FtpSession, Who};
use crate::packet::{Payload, Side};
use crate::tcp::{CloseStyle, Peer, TcpConn};
use crate::truth::{DataConnTruth, Direction, Mode, Role, Setup, Status, TransferTruth};
use std::net::{SocketAddr, SocketAddrV4};

/// A negotiated data channel: who will listen where, and who will connect from where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataChannel {
    pub setup: Setup,
    /// What the PORT-family command or the 227/228/229 reply announced.
    pub announced: SocketAddr,
    /// Where the connection really goes (differs from `announced` behind NAT).
    pub listener: SocketAddr,
    /// Where it really comes from (the server's port 20 in active mode by default).
    pub connector: SocketAddr,
}

impl DataChannel {
    pub fn mode(&self) -> Mode {
        self.setup.mode()
    }

    /// Who sends the SYN.
    pub fn opener(&self) -> Who {
        match self.mode() {
            Mode::Active => Who::Server,
            Mode::Passive => Who::Client,
        }
    }
}

/// Handle of a transfer recorded in the session's truth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XferId(pub usize);

/// A data connection and the FTP roles of its two TCP sides.
pub struct DataConn {
    pub tcp: TcpConn,
    opener: Who,
}

impl DataConn {
    /// The TCP side `who` plays on this connection.
    pub fn side(&self, who: Who) -> Side {
        if who == self.opener {
            Side::Orig
        } else {
            Side::Resp
        }
    }
}

/// When the data connection's SYN is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SynAt {
    /// Passive only: the client connects as soon as it has the 227/229, before the command.
    BeforeCommand,
    AfterCommand,
    AfterPrelim,
}

/// When the final (226) reply is sent relative to the data connection's close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FinalAt {
    BeforeClose,
    /// Closer's FIN, peer's ACK, the 226, then the peer's FIN and the last ACK (seed 001).
    AfterHalfClose,
    AfterClose,
}

/// How a data connection fails to open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataFail {
    /// The SYN, retransmitted, is never answered (a firewall or NAT drops it).
    Unanswered { tries: u32 },
    /// The SYN is answered by RST (nothing listens).
    Refused,
}

/// A client abort in the middle of the data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Abort {
    /// Payload bytes that cross before the client aborts.
    pub after_bytes: u64,
    /// Reply to the transfer command (426).
    pub aborted: Reply,
    /// Reply to ABOR (226).
    pub done: Reply,
    pub close: CloseStyle,
    pub closer: Who,
}

impl Abort {
    pub fn after(bytes: u64) -> Abort {
        Abort {
            after_bytes: bytes,
            aborted: Reply::new(426, "Connection closed; transfer aborted."),
            done: Reply::new(226, "ABOR command successful."),
            close: CloseStyle::FourWay,
            closer: Who::Server,
        }
    }
}

/// Everything about one transfer command and its data connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Xfer {
    pub cmd: Cmd,
    pub payload: Payload,
    /// 150/125; `None` for servers that send none.
    pub prelim: Option<Reply>,
    /// 226 (or 425, 550, ...).
    pub done: Reply,
    pub syn_at: SynAt,
    /// Data flows before the 150 (needs the SYN before the 150).
    pub data_before_prelim: bool,
    pub final_at: FinalAt,
    pub close: CloseStyle,
    /// Who closes the data connection first (default: the side that sent the data).
    pub closer: Option<Who>,
    pub fail: Option<DataFail>,
    pub abort: Option<Abort>,
    /// Pause before the data SYN (a user typing `nc ...`, a slow client).
    pub syn_delay_ns: i64,
    /// Pause before the final reply when there is no usable data connection (the server's
    /// accept timeout).
    pub fail_delay_ns: i64,
}

impl Xfer {
    pub fn new(cmd: Cmd, payload: Payload) -> Xfer {
        Xfer {
            cmd,
            payload,
            prelim: Some(Reply::new(150, "Opening data connection.")),
            done: Reply::new(226, "Transfer complete."),
            syn_at: SynAt::AfterCommand,
            data_before_prelim: false,
            final_at: FinalAt::AfterClose,
            close: CloseStyle::FourWay,
            closer: None,
            fail: None,
            abort: None,
            syn_delay_ns: 0,
            fail_delay_ns: 0,
        }
    }

    pub fn syn_delay(mut self, ns: i64) -> Xfer {
        self.syn_delay_ns = ns;
        self
    }

    pub fn fail_delay(mut self, ns: i64) -> Xfer {
        self.fail_delay_ns = ns;
        self
    }

    pub fn prelim(mut self, r: Option<Reply>) -> Xfer {
        self.prelim = r;
        self
    }

    pub fn done(mut self, r: Reply) -> Xfer {
        self.done = r;
        self
    }

    pub fn syn_at(mut self, at: SynAt) -> Xfer {
        self.syn_at = at;
        self
    }

    pub fn data_before_prelim(mut self) -> Xfer {
        self.data_before_prelim = true;
        self
    }

    pub fn final_at(mut self, at: FinalAt) -> Xfer {
        self.final_at = at;
        self
    }

    pub fn close(mut self, style: CloseStyle, closer: Option<Who>) -> Xfer {
        self.close = style;
        self.closer = closer;
        self
    }

    pub fn fail(mut self, f: DataFail) -> Xfer {
        self.fail = Some(f);
        self
    }

    pub fn abort(mut self, a: Abort) -> Xfer {
        self.abort = Some(a);
        self
    }

    /// Who sends the payload: the client for uploads, the server otherwise.
    pub fn sender(&self) -> Who {
        match Direction::of(&self.cmd.name()) {
            Some(Direction::Upload) => Who::Client,
            _ => Who::Server,
        }
    }
}

impl FtpSession<'_, '_> {
    /// Sends a PORT/EPRT/LPRT/PASV/EPSV/LPSV command and its reply; the channel when the
    /// reply is 2xx and the command (active) or reply (passive) carries an endpoint.
    pub fn setup(&mut self, cmd: Cmd, reply: Reply) -> Option<DataChannel> {
        let setup = Setup::of(&cmd.name()).expect("a data-channel setup command");
        let (cmd_ep, reply_ep, ok) = (
            cmd.endpoint,
            reply.endpoint,
            (200..300).contains(&reply.code),
        );
        self.exchange(cmd, reply);
        if !ok {
            return None;
        }
        let client_ip = self.client().ip();
        let server_ip = self.server().ip();
        Some(match setup.mode() {
            Mode::Active => {
                let announced = cmd_ep?;
                DataChannel {
                    setup,
                    announced,
                    // The server connects to where the control connection comes from.
                    listener: SocketAddr::new(client_ip, announced.port()),
                    connector: SocketAddr::new(server_ip, self.st.cfg.server_data_port),
                }
            }
            Mode::Passive => {
                let announced = match reply_ep? {
                    ReplyEndpoint::Addr(a) => a,
                    ReplyEndpoint::ServerPort(p) => SocketAddr::new(server_ip, p),
                };
                let port = self.next_port();
                DataChannel {
                    setup,
                    announced,
                    listener: SocketAddr::new(server_ip, announced.port()),
                    connector: SocketAddr::new(client_ip, port),
                }
            }
        })
    }

    /// `PORT` announcing `ep`, answered `200 PORT command successful.`
    pub fn port(&mut self, ep: SocketAddrV4) -> DataChannel {
        self.setup(Cmd::port(ep), Reply::new(200, "PORT command successful."))
            .expect("2xx")
    }

    /// `EPRT` announcing `ep`, answered `200 EPRT command successful.`
    pub fn eprt(&mut self, ep: SocketAddr) -> DataChannel {
        self.setup(Cmd::eprt(ep), Reply::new(200, "EPRT command successful."))
            .expect("2xx")
    }

    /// `LPRT` announcing `ep`, answered `200 LPRT command successful.`
    pub fn lprt(&mut self, ep: SocketAddr) -> DataChannel {
        self.setup(Cmd::lprt(ep), Reply::new(200, "LPRT command successful."))
            .expect("2xx")
    }

    /// `PASV` answered with the server's address and `port`.
    pub fn pasv(&mut self, port: u16) -> DataChannel {
        let std::net::IpAddr::V4(ip) = self.server().ip() else {
            panic!("PASV needs IPv4")
        };
        self.setup(
            Cmd::new("PASV", None),
            Reply::pasv(SocketAddrV4::new(ip, port)),
        )
        .expect("2xx")
    }

    /// `EPSV` answered `229 ... (|||port|)`.
    pub fn epsv(&mut self, port: u16) -> DataChannel {
        self.setup(Cmd::new("EPSV", None), Reply::epsv(port, '|'))
            .expect("2xx")
    }

    /// `LPSV` answered with the server's address and `port`.
    pub fn lpsv(&mut self, port: u16) -> DataChannel {
        let ep = SocketAddr::new(self.server().ip(), port);
        self.setup(Cmd::new("LPSV", None), Reply::lpsv(ep))
            .expect("2xx")
    }

    /// Sends a transfer command and records the transfer (mode, setup and announced endpoint
    /// from `chan`; a pending REST offset; a size a SIZE reply gave for the same argument).
    pub fn begin_transfer(&mut self, cmd: Cmd, chan: Option<&DataChannel>) -> XferId {
        let name = cmd.name();
        let direction = Direction::of(&name).expect("a transfer command");
        let rest = self.st.rest.take();
        let announced_size = cmd.arg.as_ref().and_then(|a| {
            self.st
                .sizes
                .iter()
                .rev()
                .find(|(f, _)| f == a)
                .map(|&(_, n)| n)
        });
        let arg = cmd.arg.clone();
        self.command(cmd);
        let cmd_idx = self.last_command();
        let sess = self.net.session(self.st.sid);
        let x = sess.transfers.len();
        sess.commands[cmd_idx].wire.transfer = Some(x);
        sess.transfers.push(TransferTruth {
            command: name,
            arg,
            direction,
            mode: chan.map(|c| c.mode()),
            setup: chan.map(|c| c.setup),
            data_endpoint: chan.map(|c| c.announced.to_string()),
            data_conn: None,
            bytes: None,
            status: Status::Incomplete,
            reply_code: None,
            announced_size,
            rest_offset: rest,
            stored_as: None,
            missed_bytes: 0,
            captured: true,
            line_captured: true,
            cmd: cmd_idx,
            aborted: false,
        });
        XferId(x)
    }

    /// A data connection for `chan` (no packets yet), not linked to any transfer; both
    /// hosts keep their control connection's stack settings.
    pub fn open_data(&mut self, chan: &DataChannel) -> DataConn {
        let (client_addr, server_addr) = match chan.mode() {
            Mode::Active => (chan.listener, chan.connector),
            Mode::Passive => (chan.connector, chan.listener),
        };
        let client = self.st.cfg.client.at(client_addr);
        let server = self.st.cfg.server.at(server_addr);
        self.open_data_with(chan, client, server)
    }

    /// [`FtpSession::open_data`] with explicit host settings (addresses included), to
    /// reproduce a published trace field by field.
    pub fn open_data_with(&mut self, chan: &DataChannel, client: Peer, server: Peer) -> DataConn {
        let opener = chan.opener();
        let (orig, resp) = if opener == Who::Server {
            (server, client)
        } else {
            (client, server)
        };
        let mut tcp = TcpConn::new(self.net, orig, resp);
        tcp.acks = self.st.cfg.data_acks;
        self.net.set_role(tcp.id, Role::Data);
        self.net.session(self.st.sid).data_conns.push(tcp.id);
        DataConn { tcp, opener }
    }

    /// Makes `d` the data connection of transfer `x`.
    pub fn link_data(&mut self, d: &DataConn, x: XferId) {
        let (orig, resp) = (
            d.tcp.addr(Side::Orig).to_string(),
            d.tcp.addr(Side::Resp).to_string(),
        );
        let t = &mut self.net.session(self.st.sid).transfers[x.0];
        t.data_conn = Some(DataConnTruth {
            conn: d.tcp.id,
            orig,
            resp,
        });
    }

    pub fn data_handshake(&mut self, d: &mut DataConn) {
        d.tcp.handshake(self.net);
    }

    pub fn data_send(&mut self, d: &mut DataConn, who: Who, bytes: &[u8]) {
        let side = d.side(who);
        d.tcp.send(self.net, side, bytes);
    }

    pub fn data_send_payload(
        &mut self,
        d: &mut DataConn,
        who: Who,
        p: &Payload,
        range: std::ops::Range<u64>,
    ) {
        let side = d.side(who);
        d.tcp.send_payload(self.net, side, p, range);
    }

    pub fn data_ack(&mut self, d: &mut DataConn, who: Who) {
        let side = d.side(who);
        d.tcp.ack(self.net, side);
    }

    pub fn data_fin(&mut self, d: &mut DataConn, who: Who) {
        let side = d.side(who);
        d.tcp.fin(self.net, side);
    }

    pub fn data_rst(&mut self, d: &mut DataConn, who: Who) {
        let side = d.side(who);
        d.tcp.rst(self.net, side);
    }

    pub fn data_close(&mut self, d: &mut DataConn, style: CloseStyle, first: Who) {
        let side = d.side(first);
        d.tcp.close(self.net, style, side);
    }

    /// Marks a transfer as aborted by the client (the status the truth reports).
    pub fn mark_aborted(&mut self, x: XferId) {
        self.net.session(self.st.sid).transfers[x.0].aborted = true;
    }

    /// Opens (or fails to open) a data connection for `chan`; `true` when it is usable.
    fn connect_data(&mut self, chan: &DataChannel, x: &Xfer) -> (DataConn, bool) {
        let mut d = self.open_data(chan);
        if x.syn_delay_ns > 0 {
            self.net.advance(x.syn_delay_ns);
        }
        let fail = x.fail;
        let ok = match fail {
            None => {
                self.data_handshake(&mut d);
                true
            }
            Some(DataFail::Unanswered { tries }) => {
                d.tcp.syn_unanswered(self.net, tries);
                false
            }
            Some(DataFail::Refused) => {
                d.tcp.syn_refused(self.net);
                false
            }
        };
        (d, ok)
    }

    fn ensure_data(
        &mut self,
        data: &mut Option<(DataConn, bool)>,
        chan: Option<&DataChannel>,
        x: &Xfer,
        id: XferId,
    ) {
        if let (None, Some(c)) = (&data, chan) {
            let dc = self.connect_data(c, x);
            self.link_data(&dc.0, id);
            *data = Some(dc);
        }
    }

    /// Runs a whole transfer on `chan` (`None`: no data channel was negotiated, so there is
    /// no connection and `x.done` should say so, e.g. 425).
    pub fn transfer(&mut self, chan: Option<&DataChannel>, x: Xfer) -> XferId {
        let sender = x.sender();
        let mut data = None;
        if x.syn_at == SynAt::BeforeCommand {
            let c = chan.expect("SynAt::BeforeCommand needs a data channel");
            assert_eq!(
                c.mode(),
                Mode::Passive,
                "only a passive client connects before the command"
            );
            data = Some(self.connect_data(c, &x));
        }
        let id = self.begin_transfer(x.cmd.clone(), chan);
        if let Some((d, _)) = &data {
            self.link_data(d, id);
        }
        if x.syn_at == SynAt::AfterCommand {
            self.ensure_data(&mut data, chan, &x, id);
        }
        let total = x.payload.len();
        let upto = x.abort.as_ref().map_or(total, |a| a.after_bytes.min(total));
        let mut sent = false;
        if x.data_before_prelim
            && let Some((d, true)) = &mut data
        {
            self.data_send_payload(d, sender, &x.payload, 0..upto);
            sent = true;
        }
        if let Some(p) = &x.prelim {
            self.reply(p.clone());
        }
        if x.syn_at == SynAt::AfterPrelim {
            self.ensure_data(&mut data, chan, &x, id);
        }
        let Some((mut d, true)) = data else {
            // No usable data connection: the final reply says why (425, 550, ...).
            if x.fail_delay_ns > 0 {
                self.net.advance(x.fail_delay_ns);
            }
            self.reply(x.done.clone());
            return id;
        };
        if !sent {
            self.data_send_payload(&mut d, sender, &x.payload, 0..upto);
        }
        if let Some(a) = &x.abort {
            self.telnet_interrupt();
            self.command(Cmd::new("ABOR", None));
            self.mark_aborted(id);
            self.data_close(&mut d, a.close, a.closer);
            self.reply(a.aborted.clone());
            self.reply(a.done.clone());
            return id;
        }
        let closer = x.closer.unwrap_or(sender);
        match x.final_at {
            FinalAt::BeforeClose => {
                self.reply(x.done.clone());
                self.data_close(&mut d, x.close, closer);
            }
            FinalAt::AfterHalfClose => {
                self.data_fin(&mut d, closer);
                self.data_ack(&mut d, closer.other());
                self.reply(x.done.clone());
                self.data_fin(&mut d, closer.other());
                self.data_ack(&mut d, closer);
            }
            FinalAt::AfterClose => {
                self.data_close(&mut d, x.close, closer);
                self.reply(x.done.clone());
            }
        }
        id
    }
}
