//! Random scenarios and impairments: clean scenarios pass every packet-level check;
//! impaired ones keep the endpoints' facts and account exactly for what the capture lost.

mod common;

use etherparse::LaxSlicedPacket;
use ftpflow_synth::impair::{self, Cut, Impairment, Scope};
use ftpflow_synth::packet::Side;
use ftpflow_synth::rng::Rng;
use ftpflow_synth::scenario::{self, Options};
use ftpflow_synth::truth::{Role, Truth};
use std::collections::HashMap;

/// The facts about what the endpoints did, which no impairment may change.
fn endpoint_facts(t: &Truth) -> Vec<String> {
    let mut v = Vec::new();
    for s in &t.sessions {
        for c in &s.commands {
            v.push(format!("{} {:?} {:?}", c.command, c.arg, c.reply_codes));
        }
        for x in &s.transfers {
            v.push(format!(
                "{} {:?} {:?} {:?} {:?}",
                x.command, x.bytes, x.status, x.data_endpoint, x.data_conn
            ));
        }
    }
    for c in &t.connections {
        v.push(format!(
            "{} {} {:?} {:?} {} {}",
            c.orig, c.resp, c.handshake, c.close, c.bytes_orig, c.bytes_resp
        ));
    }
    v
}

#[test]
fn random_scenarios_are_valid_and_deterministic() {
    for seed in 0..120 {
        let (trace, truth) = scenario::capture(seed, &Options::default());
        common::verify(&trace, &truth);
        if seed % 20 == 0 {
            let (trace2, truth2) = scenario::capture(seed, &Options::default());
            assert_eq!(trace, trace2);
            assert_eq!(truth.to_json(), truth2.to_json());
        }
    }
}

#[test]
fn random_impairments_keep_endpoint_facts_and_count_losses() {
    for seed in 0..150u64 {
        let (clean, truth0) = scenario::capture(
            seed,
            &Options {
                sessions: 2,
                ..Options::default()
            },
        );
        let mut rng = Rng::new(seed ^ 0xabc);
        let imps = impair::random(&mut rng);
        let (mut trace, mut truth) = (clean.clone(), truth0.clone());
        impair::apply_all(&mut trace, &mut truth, &imps, seed);
        assert_eq!(
            endpoint_facts(&truth),
            endpoint_facts(&truth0),
            "seed {seed}: {imps:?}"
        );
        assert_eq!(truth.packets as usize, trace.len());
        let loses = imps.iter().any(|i| {
            matches!(
                i,
                Impairment::Loss { .. }
                    | Impairment::Snaplen(_)
                    | Impairment::CaptureFrom(_)
                    | Impairment::CaptureUntil(_)
            )
        });
        for p in &trace {
            // Every frame still slices; whole ones still have correct checksums.
            LaxSlicedPacket::from_ethernet(&p.data).expect("frame slices");
            if p.data.len() == p.orig_len as usize {
                common::parse(p);
            }
        }
        let mut total_missed = 0;
        for c in &truth.connections {
            assert!(c.missed_orig <= c.bytes_orig && c.missed_resp <= c.bytes_resp);
            total_missed += c.missed_orig + c.missed_resp;
        }
        for s in &truth.sessions {
            for x in &s.transfers {
                if let Some(dc) = &x.data_conn {
                    assert_eq!(x.missed_bytes, truth.conn(dc.conn).missed(x.sender_side()));
                }
            }
            if !loses {
                assert!(
                    s.commands.iter().all(|c| c.captured),
                    "seed {seed}: {imps:?}"
                );
            }
        }
        if !loses {
            assert_eq!(total_missed, 0, "seed {seed}: {imps:?}");
        }
        // Control connections only ever get identical copies: every copy of a control
        // byte equals the original.
        let mut ctrl: HashMap<(u32, Side, u64), u8> = HashMap::new();
        for p in &trace {
            if truth.conn(p.meta.conn).role != Role::Control {
                continue;
            }
            let got = p.meta.captured_payload(p.data.len()) as usize;
            if got == 0 {
                continue;
            }
            let off = p.meta.payload_off as usize;
            for (k, b) in p.data[off..off + got].iter().enumerate() {
                let key = (p.meta.conn, p.meta.from, p.meta.stream_off + k as u64);
                assert_eq!(
                    *ctrl.entry(key).or_insert(*b),
                    *b,
                    "seed {seed}: control bytes differ between copies"
                );
            }
        }
        // Same seed, same result.
        let (mut t2, mut tr2) = (clean, truth0);
        impair::apply_all(&mut t2, &mut tr2, &imps, seed);
        assert_eq!(trace, t2);
        assert_eq!(truth.to_json(), tr2.to_json());
    }
}

fn one(name: &str) -> (ftpflow_synth::sink::Trace, Truth) {
    ftpflow_synth::samples::all()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap()
        .generate()
}

#[test]
fn capture_starting_after_the_handshake() {
    let (mut trace, mut truth) = one("seed001-active-ls-pwd-quit");
    impair::apply(
        &mut trace,
        &mut truth,
        &Impairment::CaptureFrom(Cut::Index(3)),
        1,
    );
    let c = truth.conn(truth.sessions[0].control_conn);
    assert!(!c.handshake_seen);
    assert!(c.close_seen);
    assert_eq!(c.missed_orig + c.missed_resp, 0);
    assert!(truth.sessions[0].commands.iter().all(|c| c.captured));
}

#[test]
fn capture_ending_mid_transfer() {
    let (mut trace, mut truth) = one("abort-rest-stou");
    // End the capture 100 packets into the resumed download.
    let first_data = trace
        .iter()
        .position(|p| truth.conn(p.meta.conn).role == Role::Data && p.meta.payload_len > 0)
        .unwrap();
    impair::apply(
        &mut trace,
        &mut truth,
        &Impairment::CaptureUntil(Cut::Index(first_data + 100)),
        1,
    );
    let x = &truth.sessions[0].transfers[0];
    let captured: u64 = trace
        .iter()
        .filter(|p| Some(p.meta.conn) == x.data_conn.as_ref().map(|d| d.conn))
        .map(|p| p.meta.payload_len as u64)
        .sum();
    assert_eq!(x.missed_bytes, 524_288 - captured);
    assert!(!x.captured, "its 226 is not in the capture");
}

#[test]
fn loss_and_snaplen_are_counted_exactly() {
    let (clean, truth0) = one("nat-pasv-rewritten");
    let (mut trace, mut truth) = (clean.clone(), truth0.clone());
    impair::apply(
        &mut trace,
        &mut truth,
        &Impairment::Loss {
            percent: 10,
            scope: Scope::Data,
        },
        7,
    );
    let dropped: u64 = {
        let kept: std::collections::HashSet<(u32, Side, u64)> = trace
            .iter()
            .map(|p| (p.meta.conn, p.meta.from, p.meta.stream_off))
            .collect();
        clean
            .iter()
            .filter(|p| {
                p.meta.payload_len > 0
                    && !kept.contains(&(p.meta.conn, p.meta.from, p.meta.stream_off))
            })
            .map(|p| p.meta.payload_len as u64)
            .sum()
    };
    let missed: u64 = truth
        .connections
        .iter()
        .map(|c| c.missed_orig + c.missed_resp)
        .sum();
    assert!(dropped > 0);
    assert_eq!(missed, dropped);
    assert!(
        truth
            .sessions
            .iter()
            .flat_map(|s| &s.commands)
            .all(|c| c.captured)
    );

    let (mut trace, mut truth) = (clean.clone(), truth0);
    impair::apply(&mut trace, &mut truth, &Impairment::Snaplen(100), 1);
    let cut: u64 = clean
        .iter()
        .map(|p| {
            p.meta
                .payload_len
                .saturating_sub(100u32.saturating_sub(p.meta.payload_off)) as u64
        })
        .sum();
    let missed: u64 = truth
        .connections
        .iter()
        .map(|c| c.missed_orig + c.missed_resp)
        .sum();
    assert_eq!(missed, cut);
}

#[test]
fn tso_makes_segments_larger_than_the_mtu() {
    let (mut trace, mut truth) = one("abort-rest-stou");
    let n = trace.len();
    impair::apply(
        &mut trace,
        &mut truth,
        &Impairment::Tso {
            max_payload: 65_000,
        },
        1,
    );
    assert!(trace.len() < n);
    let big = trace.iter().filter(|p| p.data.len() > 60_000).count();
    assert!(big > 0);
    for p in &trace {
        common::parse(p);
    }
    assert!(
        truth
            .connections
            .iter()
            .all(|c| c.missed_orig + c.missed_resp == 0)
    );
}

#[test]
fn overlapping_altered_retransmissions_stay_on_data_connections() {
    let (mut trace, mut truth) = one("nat-pasv-rewritten");
    let n = trace.len();
    impair::apply(
        &mut trace,
        &mut truth,
        &Impairment::Retransmit {
            percent: 50,
            overlap: true,
            alter: true,
        },
        3,
    );
    let copies: Vec<_> = trace.iter().filter(|p| p.meta.copy).collect();
    assert_eq!(trace.len(), n + copies.len());
    assert!(!copies.is_empty());
    for p in copies {
        assert_eq!(truth.conn(p.meta.conn).role, Role::Data);
        common::parse(p);
    }
}

#[test]
fn jitter_moves_timestamps_backwards() {
    let (mut trace, mut truth) = one("abort-rest-stou");
    impair::apply(
        &mut trace,
        &mut truth,
        &Impairment::Jitter {
            percent: 5,
            max_back_ns: 500_000,
        },
        1,
    );
    assert!(trace.windows(2).any(|w| w[1].ts_ns < w[0].ts_ns));
    assert_eq!(truth.impairments.len(), 1);
}

/// Per session, the order in which (connection, direction) take turns sending anything
/// significant (payload, SYN, FIN, RST), runs collapsed.
fn turns(trace: &[ftpflow_synth::packet::Packet], truth: &Truth) -> HashMap<u32, Vec<(u32, Side)>> {
    let mut out: HashMap<u32, Vec<(u32, Side)>> = HashMap::new();
    for p in trace {
        let significant = p.meta.payload_len > 0 || p.meta.flags & 0x07 != 0;
        let Some(s) = truth.conn(p.meta.conn).session else {
            continue;
        };
        if !significant || p.meta.copy {
            continue;
        }
        let v = out.entry(s).or_default();
        if v.last() != Some(&(p.meta.conn, p.meta.from)) {
            v.push((p.meta.conn, p.meta.from));
        }
    }
    out
}

#[test]
fn reorder_and_tso_never_put_an_answer_before_its_cause() {
    for seed in 0..60u64 {
        let (clean, truth0) = scenario::capture(seed, &Options::default());
        let want = turns(&clean, &truth0);
        for imp in [
            Impairment::Reorder {
                window: 8,
                percent: 40,
            },
            Impairment::Tso {
                max_payload: 65_000,
            },
        ] {
            let (mut trace, mut truth) = (clean.clone(), truth0.clone());
            impair::apply(&mut trace, &mut truth, &imp, seed);
            assert_eq!(turns(&trace, &truth), want, "seed {seed}: {imp:?}");
        }
    }
}
