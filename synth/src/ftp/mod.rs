//! The FTP layer: scripted sessions on top of the TCP model, recording the truth.
//!
//! - [`msg`]: commands and replies as exact bytes, with the facts they announce.
//! - [`session`]: [`FtpSession`], the control connection and the FIFO of pending commands.
//! - [`transfer`]: data-channel negotiation, data connections, whole transfers.

pub mod msg;
pub mod session;
pub mod transfer;

pub use msg::{Cmd, Eol, Reply, ReplyEndpoint, hostport, long_hostport};
pub use session::{CtrlAcks, FtpConfig, FtpSession, Parked, Who, tls_record};
pub use transfer::{Abort, DataChannel, DataConn, DataFail, FinalAt, SynAt, Xfer, XferId};
