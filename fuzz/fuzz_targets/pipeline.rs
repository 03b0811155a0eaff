//! The whole analysis of a capture file, as `ftpflow analyze` runs it: capture reader,
//! decoder, TCP table, tracker, one output format.
//!
//! Input layout: 8 bytes of options (see `ftpflow_fuzz::options`: the output format,
//! verbose, colours, and each bound either its default or small: max line, connections,
//! half-open connections, reassembly per stream and in total, expectations, idle timeout,
//! commands, pending commands, reply lines, findings), then the capture file's bytes
//! (pcap, pcapng, gzip), so real captures seed it behind 8 option bytes.
//!
//! Checked: nothing panics, JSON output parses, text output is UTF-8 and ends with a line
//! end, and the report counts every packet the reader handed over.

#![no_main]

use ftpflow::analyze::Analyzer;
use ftpflow_fuzz::{check_output, options, sink};
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;

fuzz_target!(|data: &[u8]| {
    let (opts, capture) = options(data);
    let (sink, out) = sink(&opts);
    let mut analyzer = Analyzer::with_sink(opts.config.clone(), sink);
    let packets = analyzer
        .read_named("fuzz.pcap", Box::new(Cursor::new(capture)))
        .packets;
    let report = analyzer.finish().expect("writing into memory cannot fail");
    assert_eq!(
        report.capture.packets, packets,
        "the report lost packets the reader gave"
    );
    check_output(opts.format, &out.take());
});
