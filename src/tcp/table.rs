//! The connection table: finds each segment's connection (or starts one), sweeps idle and
//! closed connections, bounds how many are tracked, and recognises copies of packets and
//! replays of ended connections.

use super::duplicates::{Afterlife, Graveyard, RecentPackets};
use super::flow::Flow;
use super::key::Key;
use super::reassembly::HeldBudget;
use super::{ConnId, ConnInfo, ConnRecord, EndReason, FlowHandler, TcpConfig, TcpStats};
use crate::decode::Segment;
use crate::endpoint::Endpoint;
use crate::model::BoundCounters;
use crate::time::Timestamp;
use std::collections::{HashMap, VecDeque};

/// The connection table.
pub struct TcpTable {
    cfg: TcpConfig,
    index: HashMap<Key, usize, foldhash::fast::RandomState>,
    /// The previous packet's connection: bulk transfers send runs of packets on one
    /// connection, and those skip the hash lookup.
    last: Option<(Key, usize)>,
    /// Boxed: the vector's spare capacity (up to as many slots again as flows) then
    /// costs a pointer per slot, not a whole flow.
    flows: Vec<Option<Box<Flow>>>,
    free: Vec<usize>,
    next_id: ConnId,
    /// Out-of-order bytes held across all connections.
    budget: HeldBudget,
    stats: TcpStats,
    /// What the table's bounds cut (its share of `capture.bounds`).
    bounds: BoundCounters,
    last_sweep: Option<Timestamp>,
    recent: RecentPackets,
    graves: Graveyard,
    /// Connections opened by a SYN, oldest first, as (id, slot): the half-open ones among
    /// them are bounded by `max_half_open`. Entries of connections answered or gone are
    /// dropped when the queue outgrows the bound.
    half_open: VecDeque<(ConnId, usize)>,
}

/// Segments that took [`Flow::counted_in_order`] (tests check that it was exercised).
#[cfg(test)]
pub(crate) static SHORTCUT_TAKEN: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(0);

const SWEEP_INTERVAL: i64 = 1_000_000_000;

impl TcpTable {
    /// An empty table with the bounds and policies of `cfg`.
    pub fn new(cfg: TcpConfig) -> TcpTable {
        let budget = HeldBudget::new(cfg.max_held_bytes_total);
        TcpTable {
            cfg,
            index: HashMap::default(),
            last: None,
            flows: Vec::new(),
            free: Vec::new(),
            next_id: 1,
            budget,
            stats: TcpStats::default(),
            bounds: BoundCounters::default(),
            last_sweep: None,
            recent: RecentPackets::default(),
            graves: Graveyard::default(),
            half_open: VecDeque::new(),
        }
    }

    /// The bounds and policies it runs with.
    pub fn config(&self) -> &TcpConfig {
        &self.cfg
    }

    /// The table's counters so far.
    pub fn stats(&self) -> &TcpStats {
        &self.stats
    }

    /// What the table's bounds cut so far: evicted and half-open connections, holes
    /// forced closed (the other counters stay 0).
    pub fn bounds(&self) -> &BoundCounters {
        &self.bounds
    }

    /// Out-of-order bytes held now across all connections.
    pub fn held_bytes(&self) -> usize {
        self.budget.held()
    }

    /// Connections currently tracked.
    pub fn open_connections(&self) -> usize {
        self.index.len()
    }

    /// Processes one segment.
    pub fn process<H: FlowHandler>(&mut self, seg: &Segment<'_>, h: &mut H) {
        if self.recent.is_copy(seg) {
            self.stats.duplicate_packets += 1;
            return;
        }
        self.maybe_sweep(seg.ts, h);
        let key = Key::of(&seg.src, &seg.dst);
        let known = match self.last {
            Some((last, slot)) if last == key => Some(slot),
            _ => self.index.get(&key).copied(),
        };
        // A segment the shortcut takes is in order in an open connection: never the start
        // of a new one (`is_new_connection` would say no).
        if let Some(slot) = known
            && let Some(flow) = self.flows[slot].as_mut()
            && flow.counted_in_order(seg, &self.cfg)
        {
            self.last = Some((key, slot));
            return;
        }
        let slot = match known {
            Some(slot) => {
                if self.flow(slot).is_new_connection(seg) {
                    self.stats.port_reuses += 1;
                    let reason = if self.flow(slot).closed_at.is_some() {
                        EndReason::Closed
                    } else {
                        EndReason::PortReused
                    };
                    self.finish(slot, reason, h);
                    self.create(key, seg, h)
                } else {
                    slot
                }
            }
            None => match self.graves.judge(&key, seg) {
                Afterlife::Copy => {
                    self.stats.duplicate_packets += 1;
                    return;
                }
                Afterlife::Late => {
                    self.stats.late_packets += 1;
                    return;
                }
                Afterlife::New => self.create(key, seg, h),
            },
        };
        self.last = Some((key, slot));
        let budget = &mut self.budget;
        let cfg = &self.cfg;
        let flow = self.flows[slot]
            .as_mut()
            .expect("indexed slot holds a flow");
        if flow.reported {
            if flow.replayed(seg) {
                self.stats.duplicate_packets += 1;
            } else {
                // A straggler (a late ACK) of a connection already closed and reported.
                flow.packets += 1;
                self.stats.late_packets += 1;
            }
            return;
        }
        if flow.replayed(seg) {
            // The capture goes back in time and shows this connection's packets again.
            self.stats.duplicate_packets += 1;
            return;
        }
        flow.process(seg, cfg, budget, h);
        // Closed cleanly (both FINs acknowledged, every byte accounted for): report it now,
        // so output does not wait for the linger time; the entry stays to absorb stragglers.
        if flow.closed_cleanly() {
            let record = flow.finish(EndReason::Closed, budget, h);
            self.bounds.forced_hole_skips += record_forced(flow);
            self.stats.syn_retransmissions += syn_retransmissions(&record);
            flow.reported = true;
            h.closed(flow.token, record);
        }
        let held = self.budget.held() as u64;
        self.stats.peak_held_bytes = self.stats.peak_held_bytes.max(held);
    }

    /// End of capture: every connection is finished, in order of appearance.
    pub fn finish_all<H: FlowHandler>(&mut self, h: &mut H) {
        let mut slots: Vec<(ConnId, usize)> = self
            .flows
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.as_ref().map(|f| (f.id, i)))
            .collect();
        slots.sort_unstable();
        for (_, slot) in slots {
            let reason = if self.flow(slot).closed_at.is_some() {
                EndReason::Closed
            } else {
                EndReason::CaptureEnd
            };
            self.finish(slot, reason, h);
        }
    }

    fn flow(&self, slot: usize) -> &Flow {
        self.flows[slot]
            .as_ref()
            .expect("indexed slot holds a flow")
    }

    fn create<H: FlowHandler>(&mut self, key: Key, seg: &Segment<'_>, h: &mut H) -> usize {
        if self.index.len() >= self.cfg.max_connections {
            self.evict_oldest(h);
        }
        let (orig, resp, midstream) = if seg.flags.syn() && !seg.flags.ack() {
            (seg.src, seg.dst, false)
        } else if seg.flags.syn() {
            // SYN-ACK first: the SYN is not in the capture, but its direction is known.
            (seg.dst, seg.src, false)
        } else {
            let (o, r) = guess_direction(seg.src, seg.dst, &self.cfg.server_ports);
            (o, r, true)
        };
        let id = self.next_id;
        self.next_id += 1;
        self.stats.connections += 1;
        if midstream {
            self.stats.midstream_connections += 1;
        }
        let info = ConnInfo {
            id,
            orig,
            resp,
            ts: seg.ts,
            frame: seg.frame,
            midstream,
        };
        let interest = h.open(&info);
        let flow = Box::new(Flow::new(&info, interest, &self.cfg));
        let slot = match self.free.pop() {
            Some(s) => {
                self.flows[s] = Some(flow);
                s
            }
            None => {
                self.flows.push(Some(flow));
                self.flows.len() - 1
            }
        };
        self.index.insert(key, slot);
        self.graves.forget(&key);
        if seg.flags.syn() && !seg.flags.ack() {
            self.half_open.push_back((id, slot));
            if self.half_open.len() > self.cfg.max_half_open {
                self.bound_half_open(h);
            }
        }
        self.stats.peak_connections = self.stats.peak_connections.max(self.index.len() as u64);
        slot
    }

    fn finish<H: FlowHandler>(&mut self, slot: usize, reason: EndReason, h: &mut H) {
        let Some(mut flow) = self.flows[slot].take() else {
            return;
        };
        let key = Key::of(&flow.orig, &flow.resp);
        self.index.remove(&key);
        self.graves.bury(key, flow.grave());
        self.last = None;
        self.free.push(slot);
        if flow.reported {
            return;
        }
        let record = flow.finish(reason, &mut self.budget, h);
        self.bounds.forced_hole_skips += record_forced(&flow);
        self.stats.syn_retransmissions += syn_retransmissions(&record);
        h.closed(flow.token, record);
    }

    fn maybe_sweep<H: FlowHandler>(&mut self, now: Timestamp, h: &mut H) {
        let due = match self.last_sweep {
            None => true,
            Some(t) => now.0 - t.0 >= SWEEP_INTERVAL || now.0 < t.0,
        };
        if !due {
            return;
        }
        self.last_sweep = Some(now);
        let mut expired: Vec<(ConnId, usize, EndReason)> = Vec::new();
        for (slot, f) in self.flows.iter().enumerate() {
            let Some(f) = f else { continue };
            if let Some(closed) = f.closed_at {
                if now.0 - closed.0 > self.cfg.closed_linger {
                    expired.push((f.id, slot, EndReason::Closed));
                }
            } else if now.0 - f.last_ts.0 > self.cfg.idle_timeout {
                expired.push((f.id, slot, EndReason::IdleTimeout));
            }
        }
        expired.sort_unstable_by_key(|e| e.0);
        for (_, slot, reason) in expired {
            if reason == EndReason::IdleTimeout {
                self.stats.idle_timeouts += 1;
            }
            self.finish(slot, reason, h);
        }
    }

    /// More SYNs wait for an answer than the bound allows: forgets the queue's entries of
    /// connections answered or gone, then finishes the oldest half-open ones until an
    /// eighth of the bound is free (so this runs once per bound/8 new SYNs at most).
    fn bound_half_open<H: FlowHandler>(&mut self, h: &mut H) {
        let flows = &self.flows;
        let still_half_open = |&(id, slot): &(ConnId, usize)| {
            flows[slot]
                .as_ref()
                .is_some_and(|f| f.id == id && !f.reported && f.half_open())
        };
        self.half_open.retain(still_half_open);
        let keep = self.cfg.max_half_open - self.cfg.max_half_open / 8;
        while self.half_open.len() > keep {
            let Some((_, slot)) = self.half_open.pop_front() else {
                break;
            };
            self.bounds.half_open_evicted += 1;
            self.finish(slot, EndReason::Evicted, h);
        }
    }

    /// Makes room: finishes the least recently active eighth of the table.
    fn evict_oldest<H: FlowHandler>(&mut self, h: &mut H) {
        let mut by_age: Vec<(Timestamp, ConnId, usize)> = self
            .flows
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.as_ref().map(|f| (f.last_ts, f.id, i)))
            .collect();
        by_age.sort_unstable();
        let n = (by_age.len() / 8).max(1);
        for &(_, _, slot) in by_age.iter().take(n) {
            let closed = self.flow(slot).closed_at.is_some();
            if !closed {
                self.bounds.connections_evicted += 1;
            }
            self.finish(
                slot,
                if closed {
                    EndReason::Closed
                } else {
                    EndReason::Evicted
                },
                h,
            );
        }
    }
}

fn syn_retransmissions(r: &ConnRecord) -> u64 {
    r.handshake
        .as_ref()
        .map_or(0, |h| u64::from(h.syn_retransmits))
}

fn record_forced(flow: &Flow) -> u64 {
    flow.halves.iter().map(|h| h.rsm.forced_skips).sum()
}

/// Orders a mid-stream connection's endpoints: (initiator, responder).
fn guess_direction(src: Endpoint, dst: Endpoint, server_ports: &[u16]) -> (Endpoint, Endpoint) {
    if server_ports.contains(&dst.port) {
        (src, dst)
    } else if server_ports.contains(&src.port) {
        (dst, src)
    } else if src.port == 20 && dst.port != 20 {
        // Classic active-mode data: the server connects from port 20.
        (src, dst)
    } else if dst.port == 20 && src.port != 20 {
        (dst, src)
    } else if dst.port < 1024 && src.port >= 1024 {
        (src, dst)
    } else if src.port < 1024 && dst.port >= 1024 {
        (dst, src)
    } else {
        (src, dst)
    }
}
