//! Helpers shared by the unit tests of several modules (compiled for tests only).

use std::path::PathBuf;

/// Every capture file of the project (samples/ and ../shared/corpus/, gzip included),
/// sorted; at least the committed samples must be there.
pub fn project_captures() -> Vec<PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for dir in [root.join("samples"), root.join("../shared/corpus")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        paths.extend(
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    [".pcap", ".pcapng", ".pcap.gz", ".pcapng.gz"]
                        .iter()
                        .any(|x| name.ends_with(x))
                }),
        );
    }
    paths.sort();
    assert!(paths.len() >= 10, "the samples are missing: {paths:?}");
    paths
}

/// A TCP segment as the decoder would hand it over: `flags` as the header's flag bits,
/// the payload's length on the wire, an MSS on SYNs, a window of 65535, and the frame
/// number as IP id and checksum (so that no two segments look like copies of each other).
#[allow(clippy::too_many_arguments)]
pub fn segment<'a>(
    frame: u64,
    ts: crate::time::Timestamp,
    src: crate::endpoint::Endpoint,
    dst: crate::endpoint::Endpoint,
    seq: u32,
    ack: u32,
    flags: u8,
    payload: &'a [u8],
) -> crate::decode::Segment<'a> {
    crate::decode::Segment {
        frame,
        ts,
        src,
        dst,
        seq,
        ack,
        flags: crate::decode::TcpFlags(flags),
        window: 65535,
        urgent: 0,
        payload,
        wire_len: payload.len() as u32,
        mss: (flags & 0x02 != 0).then_some(1460),
        wscale: None,
        sack_permitted: false,
        ip_id: frame as u16,
        checksum: frame as u16,
    }
}
