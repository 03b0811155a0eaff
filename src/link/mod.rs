//! Linking: which TCP connection is which FTP session's control connection, which is the
//! data connection of which transfer, and the finished session in the model's terms.
//!
//! ```text
//! tcp ──open / bytes / closed──▶ tracker ──bytes──▶ ftp::session (one per control connection)
//!                                   │  announcements ──▶ expect (PORT/PASV → expected endpoint)
//!                                   │  new connection ──▶ expect.claim, else unlinked (host pairs)
//!                                   └─ session over ──▶ ftp::session (finish + explain) ──▶ model::Session ──▶ sink
//! ```
//!
//! | module | job |
//! |---|---|
//! | [`tracker`] | the TCP table's handler: routes connections, owns open sessions, emits events |
//! | [`expect`] | expected data connections: announced endpoint → the connection that answers it |
//! | [`unlinked`] | connections between a session's hosts that no announcement explains |
//! | [`explain`] | what a transfer's data connection says about firewalls, NAT and loss |
//! | [`logins`] | failed logins across a client's sessions: password guessing |

pub mod expect;
pub mod explain;
pub mod logins;
pub mod tracker;
pub mod unlinked;

#[cfg(test)]
mod tests;
