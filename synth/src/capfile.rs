//! Opening a capture file for writing: pcap or pcapng, gzip-compressed when the name ends
//! in `.gz`; and writing a finished trace next to its truth ([`write_pair`]).

use crate::packet::Packet;
use crate::pcap::{PcapOptions, PcapWriter};
use crate::pcapng::{Interface, PcapngWriter};
use crate::sink::CaptureWriter;
use crate::truth::Truth;
use flate2::Compression;
use flate2::write::GzEncoder;
use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

/// The container format of a capture file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Format {
    Pcap(PcapOptions),
    Pcapng {
        big_endian: bool,
        ifaces: Vec<Interface>,
    },
}

/// Creates `path` and writes the format's header; packets pushed afterwards stream to disk.
pub fn create(path: &Path, format: &Format) -> io::Result<Box<dyn CaptureWriter>> {
    let file = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let gz = path.extension().is_some_and(|e| e == "gz");
    // GzEncoder leaves the header's mtime at 0, so compressed output is deterministic too.
    Ok(match (format, gz) {
        (Format::Pcap(o), false) => Box::new(PcapWriter::new(file, *o)?),
        (Format::Pcap(o), true) => Box::new(PcapWriter::new(
            GzEncoder::new(file, Compression::default()),
            *o,
        )?),
        (Format::Pcapng { big_endian, ifaces }, false) => {
            Box::new(PcapngWriter::new(file, *big_endian, ifaces.clone())?)
        }
        (Format::Pcapng { big_endian, ifaces }, true) => Box::new(PcapngWriter::new(
            GzEncoder::new(file, Compression::default()),
            *big_endian,
            ifaces.clone(),
        )?),
    })
}

/// Writes `trace` as `dir/stem.pcap` (nanosecond timestamps, so the truth's times survive
/// exactly; one record per packet, so frame `n` is `trace[n - 1]`) and `truth` as
/// `dir/stem.truth.json`; creates `dir` if needed. Returns both paths.
pub fn write_pair(
    dir: &Path,
    stem: &str,
    trace: &[Packet],
    truth: &Truth,
) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let pcap = dir.join(format!("{stem}.pcap"));
    let opts = PcapOptions {
        nanos: true,
        ..PcapOptions::default()
    };
    let mut w = create(&pcap, &Format::Pcap(opts))?;
    for p in trace {
        w.push(p.clone());
    }
    w.finish()?;
    let json = dir.join(format!("{stem}.truth.json"));
    std::fs::write(&json, truth.to_json())?;
    Ok(vec![pcap, json])
}
