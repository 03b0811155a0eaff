//! Failed logins across sessions: password guessing (brute force) from one client.
//!
//! **Input:** each finished session's login attempts (user, time, outcome), with its client
//! and server addresses. **Output:** a [`BruteForceRun`] per client and server whose failed
//! logins reached `logins` within `window` seconds, and the finding to attach to the session
//! where the run crossed the threshold and to its later sessions.
//!
//! **Rules.** Attempts count per (client address, server address): a guesser opens a new
//! control connection (new client port) for every few passwords. A run starts at its
//! `logins`-th failure inside the window and lasts while failures keep coming less than a
//! window apart; a success is recorded but does not end it. The state is bounded: at most
//! [`MAX_PAIRS`] address pairs are watched (the least recently active one is dropped and
//! counted), each keeps at most `logins` failure times and [`MAX_USERS`] user names.

use crate::ftp::findings::FindingKind;
use crate::model::{BruteForceRun, Finding, Login, Session};
use crate::time::Timestamp;
use ahash::AHashMap;
use std::collections::VecDeque;
use std::net::IpAddr;

/// Address pairs watched at once.
pub const MAX_PAIRS: usize = 4096;
/// User names kept per pair (more are counted).
pub const MAX_USERS: usize = 16;
/// Runs kept for the capture's summary (more are counted).
pub const MAX_RUNS: usize = 256;

/// When failed logins count as password guessing.
#[derive(Debug, Clone, Copy)]
pub struct BruteForceConfig {
    /// Failed logins that make a run (0 turns detection off).
    pub logins: usize,
    /// Within this many nanoseconds (capture time).
    pub window_ns: i64,
}

impl Default for BruteForceConfig {
    fn default() -> Self {
        BruteForceConfig {
            logins: 5,
            window_ns: 60 * 1_000_000_000,
        }
    }
}

#[derive(Debug, Default)]
struct Pair {
    /// Times of the latest failures, at most `logins` of them.
    fails: VecDeque<Timestamp>,
    last: Option<Timestamp>,
    /// The run in progress: its index in `runs` (or `None` past `MAX_RUNS`).
    run: Option<Option<usize>>,
    users: Vec<String>,
    more_users: u64,
}

/// The failed logins of every client, and the runs found.
#[derive(Debug, Default)]
pub struct LoginWatch {
    cfg: BruteForceConfig,
    pairs: AHashMap<(IpAddr, IpAddr), Pair>,
    /// Pairs in order of their latest activity, oldest first (entries may be stale).
    order: VecDeque<((IpAddr, IpAddr), Timestamp)>,
    /// Runs found, in order.
    pub runs: Vec<BruteForceRun>,
    /// Runs not kept (beyond `MAX_RUNS`).
    pub runs_dropped: u64,
    /// Address pairs forgotten because `MAX_PAIRS` were watched.
    pub pairs_dropped: u64,
}

impl LoginWatch {
    /// A watch with these thresholds.
    pub fn new(cfg: BruteForceConfig) -> LoginWatch {
        LoginWatch {
            cfg,
            ..LoginWatch::default()
        }
    }

    /// Takes a finished session's logins; adds the brute-force finding to it when its
    /// client's run crossed the threshold in it or was already under way.
    pub fn session(&mut self, s: &mut Session) {
        if self.cfg.logins == 0 || s.login_attempts.is_empty() {
            return;
        }
        let key = (s.client.ip, s.server.ip);
        if !self.pairs.contains_key(&key) {
            self.make_room();
        }
        let window = self.cfg.window_ns;
        let need = self.cfg.logins;
        let pair = self.pairs.entry(key).or_default();
        let mut crossed: Option<(Timestamp, u64)> = None;
        let mut continued = false;
        let mut success_in_run: Option<String> = None;
        for a in &s.login_attempts {
            if pair.last.is_some_and(|l| a.ts.0 - l.0 > window) {
                // A pause longer than the window ends the run.
                pair.run = None;
                pair.fails.clear();
            }
            pair.last = Some(pair.last.map_or(a.ts, |l| l.max(a.ts)));
            // A login whose USER the capture lacks has no name to list.
            let user = a.user.as_ref().map(|u| u.as_str().to_string());
            match a.result {
                Login::Failed => {}
                Login::Success => {
                    if pair.run.is_some() {
                        success_in_run = user.clone().or(Some(String::new()));
                    }
                    if let Some(Some(r)) = pair.run {
                        let run: &mut BruteForceRun = &mut self.runs[r];
                        if let Some(user) = user {
                            run.succeeded_as.get_or_insert(user);
                        }
                    }
                    continue;
                }
                Login::Unknown => continue,
            }
            if let Some(user) = user
                && !pair.users.contains(&user)
            {
                if pair.users.len() < MAX_USERS {
                    pair.users.push(user);
                } else {
                    pair.more_users += 1;
                }
            }
            pair.fails.push_back(a.ts);
            while pair.fails.front().is_some_and(|&t| a.ts.0 - t.0 > window) {
                pair.fails.pop_front();
            }
            while pair.fails.len() > need {
                pair.fails.pop_front();
            }
            match pair.run {
                Some(Some(r)) => {
                    let run = &mut self.runs[r];
                    run.failed_logins += 1;
                    run.last_ts = a.ts;
                    run.users.clone_from(&pair.users);
                    run.more_users = pair.more_users;
                    continued = true;
                }
                Some(None) => continued = true,
                None if pair.fails.len() >= need => {
                    let first = *pair.fails.front().expect("not empty");
                    let idx = if self.runs.len() < MAX_RUNS {
                        self.runs.push(BruteForceRun {
                            client: s.client.ip,
                            server: s.server.ip,
                            first_ts: first,
                            last_ts: a.ts,
                            failed_logins: need as u64,
                            users: pair.users.clone(),
                            more_users: pair.more_users,
                            first_session: s.id,
                            succeeded_as: None,
                        });
                        Some(self.runs.len() - 1)
                    } else {
                        self.runs_dropped += 1;
                        None
                    };
                    pair.run = Some(idx);
                    crossed = Some((a.ts, a.frame));
                }
                None => {}
            }
        }
        let latest = pair.last.unwrap_or(s.start);
        let run = pair.run.flatten().map(|r| self.runs[r].clone());
        self.order.push_back((key, latest));
        let Some(run) = run else {
            if crossed.is_some() || continued || success_in_run.is_some() {
                self.add_finding(s, None, crossed, success_in_run);
            }
            return;
        };
        if crossed.is_some() || continued || success_in_run.is_some() {
            self.add_finding(s, Some(&run), crossed, success_in_run);
        }
    }

    fn add_finding(
        &self,
        s: &mut Session,
        run: Option<&BruteForceRun>,
        crossed: Option<(Timestamp, u64)>,
        success: Option<String>,
    ) {
        let secs = self.cfg.window_ns as f64 / 1e9;
        let users = run.map_or_else(String::new, |r| {
            let mut u = r.users.join(", ");
            if r.more_users > 0 {
                u.push_str(&format!(" and {} more", r.more_users));
            }
            format!(" (users tried: {u})")
        });
        let message = match crossed {
            Some(_) => format!(
                "{} failed logins from {} to {} within {secs:.0} s{users}: password guessing (brute force); \
                 this session crossed the threshold of {} (--brute-force-logins, --brute-force-window)",
                run.map_or(self.cfg.logins as u64, |r| r.failed_logins),
                s.client.ip,
                s.server.ip,
                self.cfg.logins,
            ),
            None if success.is_some() => format!(
                "a login{} succeeded during the password guessing from {} to {} that began in session {}, {} failed \
                 logins{users}: the password may have been guessed; change it and look at what this session did",
                success
                    .as_deref()
                    .filter(|u| !u.is_empty())
                    .map(|u| format!(" as {u}"))
                    .unwrap_or_default(),
                s.client.ip,
                s.server.ip,
                run.map_or(0, |r| r.first_session),
                run.map_or(0, |r| r.failed_logins),
            ),
            None => format!(
                "this session continues the password guessing from {} to {} that began in session {}: {} failed \
                 logins so far{users}",
                s.client.ip,
                s.server.ip,
                run.map_or(0, |r| r.first_session),
                run.map_or(0, |r| r.failed_logins),
            ),
        };
        let (ts, frame) = match crossed {
            Some((ts, frame)) => (Some(ts), Some(frame)),
            None => s
                .login_attempts
                .iter()
                .find(|a| a.result != Login::Unknown)
                .map_or((None, None), |a| (Some(a.ts), Some(a.frame))),
        };
        let f = Finding {
            severity: FindingKind::BruteForce.severity(),
            kind: FindingKind::BruteForce,
            message,
            ts,
            frame,
            transfer: None,
        };
        let at = s
            .findings
            .iter()
            .position(|g| g.frame.unwrap_or(u64::MAX) > frame.unwrap_or(u64::MAX))
            .unwrap_or(s.findings.len());
        s.findings.insert(at, f);
    }

    /// Keeps at most `MAX_PAIRS - 1` pairs: drops the least recently active one.
    fn make_room(&mut self) {
        while self.pairs.len() >= MAX_PAIRS {
            let Some((key, ts)) = self.order.pop_front() else {
                return;
            };
            // A stale entry: the pair was active later.
            if self
                .pairs
                .get(&key)
                .is_some_and(|p| p.last.unwrap_or(ts) <= ts)
            {
                self.pairs.remove(&key);
                self.pairs_dropped += 1;
            }
        }
        if self.order.len() > 4 * MAX_PAIRS {
            let pairs = &self.pairs;
            self.order
                .retain(|(k, ts)| pairs.get(k).is_some_and(|p| p.last.unwrap_or(*ts) <= *ts));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::session_with_logins;

    fn run(watch: &mut LoginWatch, logins: &[(&str, i64, bool)], client_port: u16) -> Session {
        let mut s = session_with_logins("10.0.0.9", client_port, "10.0.0.1", logins);
        watch.session(&mut s);
        s
    }

    fn brute(s: &Session) -> usize {
        s.findings
            .iter()
            .filter(|f| f.kind == FindingKind::BruteForce)
            .count()
    }

    #[test]
    fn the_session_that_reaches_the_threshold_and_later_ones_get_the_finding() {
        let mut w = LoginWatch::new(BruteForceConfig::default());
        let a = run(&mut w, &[("admin", 0, false), ("admin", 1, false)], 4000);
        let b = run(&mut w, &[("root", 2, false), ("root", 3, false)], 4001);
        let c = run(&mut w, &[("test", 4, false)], 4002);
        let d = run(&mut w, &[("test", 5, false), ("test", 6, true)], 4003);
        assert_eq!((brute(&a), brute(&b), brute(&c), brute(&d)), (0, 0, 1, 1));
        // A success after the run is told as such.
        let e = run(&mut w, &[("test", 7, true)], 4004);
        assert_eq!(brute(&e), 1);
        assert!(e.findings[0].message.contains("may have been guessed"));
        assert_eq!(w.runs.len(), 1);
        let r = &w.runs[0];
        assert_eq!(r.failed_logins, 6);
        assert_eq!(r.users, ["admin", "root", "test"]);
        assert_eq!(r.succeeded_as.as_deref(), Some("test"));
        assert_eq!(r.first_session, c.id);
        assert!(c.findings[0].message.contains("admin, root, test"));
    }

    #[test]
    fn failures_spread_wider_than_the_window_are_not_a_run() {
        let mut w = LoginWatch::new(BruteForceConfig {
            logins: 3,
            window_ns: 10 * 1_000_000_000,
        });
        for (i, t) in [0, 8, 16, 24, 32].iter().enumerate() {
            let s = run(&mut w, &[("bob", *t, false)], 5000 + i as u16);
            assert_eq!(brute(&s), 0);
        }
        assert!(w.runs.is_empty());
        // Three within 10 s now.
        run(&mut w, &[("bob", 33, false)], 5100);
        let s = run(&mut w, &[("bob", 34, false)], 5101);
        assert_eq!(brute(&s), 1);
    }

    #[test]
    fn other_clients_do_not_add_up_and_pairs_are_bounded() {
        let mut w = LoginWatch::new(BruteForceConfig::default());
        for i in 0..(MAX_PAIRS + 10) {
            let ip = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
            let mut s = session_with_logins(&ip, 4000, "10.0.0.1", &[("x", 0, false)]);
            w.session(&mut s);
            assert_eq!(brute(&s), 0);
        }
        assert!(w.pairs.len() <= MAX_PAIRS);
        assert_eq!(w.pairs_dropped, 10);
        assert!(w.runs.is_empty());
    }

    #[test]
    fn zero_logins_turns_it_off() {
        let mut w = LoginWatch::new(BruteForceConfig {
            logins: 0,
            window_ns: 1,
        });
        let s = run(&mut w, &[("a", 0, false); 9], 4000);
        assert_eq!(brute(&s), 0);
    }
}
