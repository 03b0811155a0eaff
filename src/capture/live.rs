//! Live capture from a network interface through libpcap (cargo feature `live`).
//!
//! Input: an interface, a BPF capture filter and bounds (packet count, duration). Output:
//! [`RawFrame`]s handed to a sink as they arrive (in batches of at most 50 ms), an
//! optional pcap file written by libpcap itself (`-w`) that `ftpflow analyze` reads back
//! to the same result, and libpcap's counters. The loop wakes at least every 100 ms to
//! honour a stop flag (Ctrl-C, SIGTERM), a count or a duration.
//!
//! Errors a user meets get the fix in their message: no permission to capture, no such
//! interface (with the list of interfaces), a filter that does not compile (libpcap's
//! words), a link type ftpflow does not decode.

use super::{LinkType, RawFrame, dlt_name};
pub use crate::model::LiveCounters;
use crate::time::Timestamp;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// libpcap hands packets over in batches, at the latest this long after the first one
/// waits: a step shows up at most this late, and the capture costs a wake-up per batch
/// instead of per packet (immediate mode made a 1 GB loopback transfer much slower).
const BATCH_TIMEOUT_MS: i32 = 50;

/// What to capture and when to stop (`ftpflow live`).
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// The interface to capture on (`-i`).
    pub interface: String,
    /// BPF capture filter, as for tcpdump.
    pub filter: String,
    /// Also write the packets to this pcap file (`-w`).
    pub write: Option<PathBuf>,
    /// Stop after this many packets.
    pub count: Option<u64>,
    /// Stop after this many seconds.
    pub duration: Option<f64>,
    /// Bytes kept of each packet.
    pub snaplen: i32,
    /// Put the interface in promiscuous mode.
    pub promisc: bool,
    /// Kernel buffer for captured packets, in bytes.
    pub buffer_size: i32,
}

/// Why a live capture could not start or went on failing.
#[derive(Debug)]
pub enum LiveError {
    /// The process may not capture on the interface.
    Permission {
        /// The interface asked for.
        interface: String,
        /// libpcap's words.
        message: String,
    },
    /// The interface does not exist.
    NoSuchInterface {
        /// The interface asked for.
        interface: String,
        /// The interfaces that do exist.
        available: Vec<String>,
    },
    /// The capture filter does not compile.
    BadFilter {
        /// The filter as given.
        filter: String,
        /// libpcap's words.
        message: String,
    },
    /// The interface's link type is not one the decoder handles.
    UnsupportedLinkType {
        /// The interface's link type value.
        dlt: u32,
    },
    /// Any other libpcap or I/O error.
    Other {
        /// What went wrong.
        message: String,
    },
}

impl LiveError {
    /// The error and how to fix it, in words.
    pub fn message(&self) -> String {
        match self {
            LiveError::Permission { interface, message } => format!(
                "no permission to capture on {interface} ({message}); run ftpflow as root, or allow it once with \
                 `sudo setcap cap_net_raw,cap_net_admin=eip $(command -v ftpflow)`"
            ),
            LiveError::NoSuchInterface {
                interface,
                available,
            } => format!(
                "there is no interface {interface}; interfaces here: {} (ftpflow live --list-interfaces shows details)",
                if available.is_empty() {
                    "none found".to_string()
                } else {
                    available.join(", ")
                }
            ),
            LiveError::BadFilter { filter, message } => {
                format!(
                    "the capture filter \"{filter}\" does not compile: {message} (see `man pcap-filter`)"
                )
            }
            LiveError::UnsupportedLinkType { dlt } => format!(
                "the interface's link type {} is not supported (ftpflow decodes Ethernet, Linux cooked SLL/SLL2, \
                 BSD loopback and raw IP); try another interface or \"any\"",
                dlt_name(*dlt)
            ),
            LiveError::Other { message } => format!("libpcap: {message}"),
        }
    }
}

fn pcap_message(e: &pcap::Error) -> String {
    match e {
        pcap::Error::PcapError(m) => m.clone(),
        other => other.to_string(),
    }
}

/// One interface for `--list-interfaces`.
pub struct InterfaceInfo {
    /// The name to pass to `-i`.
    pub name: String,
    /// libpcap's description, if any.
    pub description: Option<String>,
    /// Its addresses.
    pub addresses: Vec<String>,
    /// The interface is up.
    pub up: bool,
    /// It is a loopback interface.
    pub loopback: bool,
}

/// The interfaces libpcap can capture on.
pub fn list_interfaces() -> Result<Vec<InterfaceInfo>, LiveError> {
    let devices = pcap::Device::list().map_err(|e| LiveError::Other {
        message: pcap_message(&e),
    })?;
    Ok(devices
        .into_iter()
        .map(|d| InterfaceInfo {
            up: d.flags.is_up(),
            loopback: d.flags.is_loopback(),
            addresses: d.addresses.iter().map(|a| a.addr.to_string()).collect(),
            description: d.desc,
            name: d.name,
        })
        .collect())
}

fn classify_open_error(interface: &str, e: pcap::Error) -> LiveError {
    let message = pcap_message(&e);
    let lower = message.to_ascii_lowercase();
    if lower.contains("permission") || lower.contains("not permitted") {
        LiveError::Permission {
            interface: interface.to_string(),
            message,
        }
    } else if lower.contains("no such device")
        || lower.contains("doesn't exist")
        || lower.contains("not found")
    {
        let available = list_interfaces()
            .map(|l| l.into_iter().map(|i| i.name).collect())
            .unwrap_or_default();
        LiveError::NoSuchInterface {
            interface: interface.to_string(),
            available,
        }
    } else {
        LiveError::Other { message }
    }
}

/// Captures until `stop` is set, the count or the duration is reached, or `sink` returns
/// false (its output is gone). Every packet goes to `sink` and, with `-w`, to the file.
/// `ready` is called once the interface is open and the filter set.
pub fn capture(
    opts: &LiveOptions,
    stop: &AtomicBool,
    ready: &mut dyn FnMut(),
    sink: &mut dyn FnMut(RawFrame<'_>) -> bool,
) -> Result<LiveCounters, LiveError> {
    // The device must exist before libpcap's less helpful "activate" errors.
    if let Ok(list) = list_interfaces()
        && !list.iter().any(|d| d.name == opts.interface)
    {
        return Err(LiveError::NoSuchInterface {
            interface: opts.interface.clone(),
            available: list.into_iter().map(|i| i.name).collect(),
        });
    }
    let inactive = pcap::Capture::from_device(opts.interface.as_str())
        .map_err(|e| classify_open_error(&opts.interface, e))?
        .promisc(opts.promisc)
        .snaplen(opts.snaplen)
        .buffer_size(opts.buffer_size)
        .timeout(BATCH_TIMEOUT_MS);
    let mut cap = inactive
        .open()
        .map_err(|e| classify_open_error(&opts.interface, e))?;
    cap.filter(&opts.filter, true)
        .map_err(|e| LiveError::BadFilter {
            filter: opts.filter.clone(),
            message: pcap_message(&e),
        })?;
    let dlt = cap.get_datalink().0 as u32;
    let link = LinkType::from_dlt(dlt).ok_or(LiveError::UnsupportedLinkType { dlt })?;
    let mut save = match &opts.write {
        Some(path) => Some(cap.savefile(path).map_err(|e| LiveError::Other {
            message: format!("cannot write {}: {}", path.display(), pcap_message(&e)),
        })?),
        None => None,
    };

    ready();
    let started = Instant::now();
    let mut counters = LiveCounters {
        interface: opts.interface.clone(),
        filter: opts.filter.clone(),
        stopped_by: "signal",
        ..LiveCounters::default()
    };
    // libpcap may block in poll() for as long as nothing matches the filter, whatever the
    // timeout (Linux's ring buffer modes). A watcher thread breaks that wait when the stop
    // flag is set or the duration has passed; `pcap_breakloop` wakes the poll on libpcap
    // 1.10 and later.
    let breaker = cap.breakloop_handle();
    let capture_done = AtomicBool::new(false);
    let outcome = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !capture_done.load(Ordering::Acquire) {
                let expired = opts
                    .duration
                    .is_some_and(|d| started.elapsed().as_secs_f64() >= d);
                if stop.load(Ordering::Relaxed) || expired {
                    breaker.breakloop();
                    // Keep breaking: a break can land between two reads and be consumed there.
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        let outcome = read_packets(
            &mut cap,
            &mut save,
            opts,
            stop,
            started,
            link,
            &mut counters,
            sink,
        );
        capture_done.store(true, Ordering::Release);
        outcome
    });
    outcome?;
    counters.seconds = started.elapsed().as_secs_f64();
    if let Ok(st) = cap.stats() {
        counters.received = st.received;
        counters.dropped_by_kernel = st.dropped;
        counters.dropped_by_interface = st.if_dropped;
    }
    if let Some(mut s) = save {
        s.flush().map_err(|e| LiveError::Other {
            message: format!("cannot finish the -w file: {}", pcap_message(&e)),
        })?;
    }
    Ok(counters)
}

/// The read loop of [`capture`]: packets to the sink and the savefile until a bound is met.
#[allow(clippy::too_many_arguments)]
fn read_packets(
    cap: &mut pcap::Capture<pcap::Active>,
    save: &mut Option<pcap::Savefile>,
    opts: &LiveOptions,
    stop: &AtomicBool,
    started: Instant,
    link: LinkType,
    counters: &mut LiveCounters,
    sink: &mut dyn FnMut(RawFrame<'_>) -> bool,
) -> Result<(), LiveError> {
    let mut number = 0u64;
    loop {
        if stop.load(Ordering::Relaxed) {
            counters.stopped_by = "signal";
            return Ok(());
        }
        if opts.count.is_some_and(|c| counters.packets >= c) {
            counters.stopped_by = "count";
            return Ok(());
        }
        if opts
            .duration
            .is_some_and(|d| started.elapsed().as_secs_f64() >= d)
        {
            counters.stopped_by = "duration";
            return Ok(());
        }
        match cap.next_packet() {
            Ok(packet) => {
                number += 1;
                let h = packet.header;
                // `time_t` is i64 here but narrower on some targets.
                #[allow(clippy::useless_conversion)]
                let ts = Timestamp::from_secs_nanos(
                    i64::from(h.ts.tv_sec),
                    (h.ts.tv_usec as u32).saturating_mul(1000),
                );
                if let Some(s) = save.as_mut() {
                    s.write(&packet);
                }
                counters.packets += 1;
                counters.bytes += packet.data.len() as u64;
                let frame = RawFrame {
                    number,
                    ts,
                    link,
                    data: packet.data,
                    orig_len: h.len,
                };
                if !sink(frame) {
                    counters.stopped_by = "output closed";
                    return Ok(());
                }
            }
            // A timeout, or the watcher's break: go round and look at the bounds again.
            Err(pcap::Error::TimeoutExpired) | Err(pcap::Error::NoMorePackets) => continue,
            Err(e) => {
                return Err(LiveError::Other {
                    message: pcap_message(&e),
                });
            }
        }
    }
}
