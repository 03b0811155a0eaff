//! The sink that keeps everything: a whole [`Report`] in memory, sessions by number. For
//! tests and library callers ([`crate::analyze::Analyzer::new`]); the command line streams
//! to an output format instead, which keeps only what it must.

use crate::model::events::{Event, Sink};
use crate::model::{CaptureInfo, Report, Session, UnlinkedConnection};
use crate::stats::Stats;
use std::cell::RefCell;
use std::io;
use std::rc::Rc;

/// Collects sessions and unlinked connections; a clone shares the same collection.
#[derive(Clone, Default)]
pub struct Collector(Rc<RefCell<Collected>>);

#[derive(Default)]
struct Collected {
    sessions: Vec<Session>,
    unlinked: Vec<UnlinkedConnection>,
    stats: Stats,
    advisor: crate::advice::Advisor,
}

impl Collector {
    /// The report of what was collected, with the capture's summary.
    pub fn into_report(self, capture: CaptureInfo) -> Report {
        let mut c = self.0.take();
        c.sessions.sort_by_key(|s| s.id);
        c.unlinked.sort_by_key(|u| u.tcp.id);
        let mut report = Report::summary(capture);
        report.sessions = c.sessions;
        report.unlinked_data_connections = c.unlinked;
        report.stats = c.stats.report();
        report.advice = c.advisor.advice(None);
        report
    }
}

impl Sink for Collector {
    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        super::stats::count(&mut self.0.borrow_mut().stats, ev);
        match ev {
            Event::SessionEnded(s) => {
                let mut c = self.0.borrow_mut();
                c.advisor.observe(s);
                c.sessions.push(clone_session(s));
            }
            Event::Unlinked(u) => self.0.borrow_mut().unlinked.push((*u).clone()),
            _ => {}
        }
        Ok(())
    }
}

fn clone_session(s: &Session) -> Session {
    s.clone()
}
