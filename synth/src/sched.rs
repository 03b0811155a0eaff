//! Several scripts at once: each runs on its own [`Net`] (own clock, seed and truth) in its
//! own thread, and their packet streams are merged by timestamp into one sink.
//!
//! Each script's packets are already in time order, so a k-way merge is exact; ties go to
//! the script added first, so the output is deterministic whatever the threads' timing. A
//! script's thread starts only when the merge reaches its start time, and hands packets over
//! through a small bounded channel: memory stays proportional to the scripts running at
//! once, never to the capture. Connection ids are renumbered in order of first packet in
//! the merged stream; sessions are renumbered by [`Truth::finalize`].

use crate::net::Net;
use crate::packet::Packet;
use crate::sink::PacketSink;
use crate::truth::Truth;
use std::collections::{HashMap, VecDeque};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

type Script = Box<dyn for<'a, 'b> FnOnce(&'a mut Net<'b>) + Send>;

struct Job {
    idx: usize,
    start_ns: i64,
    seed: u64,
    script: Script,
}

struct Stream {
    idx: usize,
    rx: Receiver<Vec<Packet>>,
    buf: VecDeque<Packet>,
    done: bool,
    handle: Option<JoinHandle<Truth>>,
}

/// Packets per hand-over between a script's thread and the merge.
const BATCH: usize = 256;

/// Collects scripts, then runs them merged.
#[derive(Default)]
pub struct Scheduler {
    jobs: Vec<Job>,
}

impl Scheduler {
    pub fn new() -> Scheduler {
        Scheduler::default()
    }

    /// Adds a script whose first packet is stamped `start_ns`, with its own PRNG `seed`.
    pub fn add(
        &mut self,
        start_ns: i64,
        seed: u64,
        script: impl for<'a, 'b> FnOnce(&'a mut Net<'b>) + Send + 'static,
    ) {
        let idx = self.jobs.len();
        self.jobs.push(Job {
            idx,
            start_ns,
            seed,
            script: Box::new(script),
        });
    }

    /// Runs every script and streams the merged packets into `sink`; the merged truth.
    pub fn run(self, sink: &mut dyn PacketSink) -> Truth {
        let mut pending: Vec<Job> = self.jobs;
        pending.sort_by_key(|j| (j.start_ns, j.idx));
        let mut pending: VecDeque<Job> = pending.into();
        let mut active: Vec<Stream> = Vec::new();
        let mut truths: Vec<(usize, Truth)> = Vec::new();
        let mut ids: HashMap<(usize, u32), u32> = HashMap::new();
        loop {
            for s in &mut active {
                if s.buf.is_empty() && !s.done {
                    match s.rx.recv() {
                        Ok(batch) => s.buf.extend(batch),
                        Err(_) => s.done = true,
                    }
                }
            }
            active.retain_mut(|s| {
                if s.done && s.buf.is_empty() {
                    let h = s.handle.take().expect("joined once");
                    match h.join() {
                        Ok(t) => truths.push((s.idx, t)),
                        Err(p) => std::panic::resume_unwind(p),
                    }
                    false
                } else {
                    true
                }
            });
            let head = active
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.buf.front().map(|p| (p.ts_ns, s.idx, i)))
                .min();
            // A script may start before the earliest buffered packet: start it first.
            if let Some(job) = pending.front()
                && head.is_none_or(|(ts, _, _)| job.start_ns <= ts)
            {
                let job = pending.pop_front().expect("checked");
                active.push(spawn(job));
                continue;
            }
            let Some((_, _, i)) = head else { break };
            let s = &mut active[i];
            let mut p = s.buf.pop_front().expect("head exists");
            let next = ids.len() as u32 + 1;
            p.meta.conn = *ids.entry((s.idx, p.meta.conn)).or_insert(next);
            sink.push(p);
        }
        truths.sort_by_key(|(i, _)| *i);
        merge(truths, ids)
    }
}

fn spawn(job: Job) -> Stream {
    let (tx, rx) = sync_channel(4);
    let Job {
        idx,
        start_ns,
        seed,
        script,
    } = job;
    let handle = std::thread::spawn(move || {
        let mut sink = BatchSink {
            tx,
            buf: Vec::with_capacity(BATCH),
        };
        let truth = {
            let mut net = Net::new(&mut sink, start_ns, seed);
            script(&mut net);
            net.finish()
        };
        sink.flush();
        truth
    });
    Stream {
        idx,
        rx,
        buf: VecDeque::new(),
        done: false,
        handle: Some(handle),
    }
}

struct BatchSink {
    tx: SyncSender<Vec<Packet>>,
    buf: Vec<Packet>,
}

impl BatchSink {
    fn flush(&mut self) {
        if !self.buf.is_empty() {
            let batch = std::mem::replace(&mut self.buf, Vec::with_capacity(BATCH));
            // The merge only stops listening when it is unwinding; nothing to do then.
            let _ = self.tx.send(batch);
        }
    }
}

impl PacketSink for BatchSink {
    fn push(&mut self, p: Packet) {
        self.buf.push(p);
        if self.buf.len() >= BATCH {
            self.flush();
        }
    }
}

/// Concatenates per-script truths, with connection ids mapped to the merged numbering.
fn merge(truths: Vec<(usize, Truth)>, mut ids: HashMap<(usize, u32), u32>) -> Truth {
    let mut out = Truth::default();
    let mut conns = Vec::new();
    for (job, t) in truths {
        out.packets += t.packets;
        let mut map = |local: u32| {
            let next = ids.len() as u32 + 1;
            *ids.entry((job, local)).or_insert(next)
        };
        for mut c in t.connections {
            c.id = map(c.id);
            conns.push(c);
        }
        for mut s in t.sessions {
            s.control_conn = map(s.control_conn);
            for id in &mut s.data_conns {
                *id = map(*id);
            }
            for x in &mut s.transfers {
                if let Some(dc) = &mut x.data_conn {
                    dc.conn = map(dc.conn);
                }
            }
            out.sessions.push(s);
        }
    }
    conns.sort_by_key(|c| c.id);
    out.connections = conns;
    out.finalize();
    out
}
