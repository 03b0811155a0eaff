//! `ftpflow live`: capture on an interface and explain FTP as it happens.
//!
//! Every format is the same sink as for `analyze`: each session is printed when it ends
//! (flushed then), and the tables and the capture's totals when the capture stops, so the
//! output is the one `ftpflow analyze` gives for the `-w` file. Ctrl-C and SIGTERM stop
//! the capture cleanly:
//! open sessions are finished and summarised, the `-w` file is completed, libpcap's
//! counters go to stderr (and into the report), and the exit code is 0.

use super::exit::{CliError, Exit};
use super::output::{PendingFile, report_writer};
use super::{LiveArgs, config, no_ftp_note, signals, use_color};
use crate::analyze::Analyzer;
use crate::capture::live::{self, LiveOptions};
use crate::capture::{InputSummary, RawFrame};
use crate::report::{self, RenderOptions};
use std::path::Path;

/// Runs `ftpflow live`.
pub fn run(args: LiveArgs) -> Result<Exit, CliError> {
    if args.list_interfaces {
        return list();
    }
    let Some(interface) = args.interface.clone() else {
        return Err(CliError::Usage(
            "live needs an interface: -i IFACE (ftpflow live --list-interfaces shows them)".into(),
        ));
    };
    if args.duration.is_some_and(|d| d.is_nan() || d <= 0.0) {
        return Err(CliError::Usage(
            "--duration must be a positive number of seconds".into(),
        ));
    }
    if args.snaplen < 64 {
        return Err(CliError::Usage(
            "--snaplen must be at least 64 bytes".into(),
        ));
    }
    let (filter, format, note) = super::live_filter(&args);
    super::check_drawing(format, &args.keep, false, args.output.output.is_some())?;
    if let Some(note) = &note {
        eprintln!("{note}");
    }
    if args.filter.is_some() && !args.expression.is_empty() && note.is_none() {
        return Err(CliError::Usage(
            "give the capture filter once: --filter BPF or the trailing expression".into(),
        ));
    }
    let criteria = super::criteria(&args.keep)?;
    let mut cfg = config(&args.limits, &args.output)?;
    // Commands and transfers are told as they happen, not only when their session ends.
    cfg.tracker.session.live_progress = true;
    let opts = RenderOptions {
        verbose: args.output.verbose,
        color: use_color(&args.output),
        full_listing: args.output.full_listing,
        stats: args.output.stats,
        advice: args.output.advice,
        lang: args.output.lang,
        time_format: args.output.time_format,
        width: crate::report::fit::output_width(args.output.output.is_none()),
    };
    // The report and the packet file must not be the same file; each is written under a
    // temporary name and put in place only when the capture ends cleanly.
    let report_file = match &args.output.output {
        Some(path) => {
            let others: Vec<&Path> = args.write.iter().map(|w| w.as_path()).collect();
            Some(PendingFile::plan(path, &others, "-o")?)
        }
        None => None,
    };
    let packet_file = match &args.write {
        Some(path) => {
            let others: Vec<&Path> = args.output.output.iter().map(|o| o.as_path()).collect();
            Some(PendingFile::plan(path, &others, "-w")?)
        }
        None => None,
    };
    let out = report_writer(report_file.as_ref())?;
    let sink = report::sink(format, &opts, out, true, false);
    let sink = super::with_zeek(sink, super::zeek_options(&args.output).as_ref())?;
    let sink = report::filter::wrap(sink, &criteria);
    let mut analyzer = Analyzer::with_sink(cfg, sink);
    let name = format!("live:{interface}");
    analyzer.name_input(&name);

    let stop = signals::stop_on_signal()?;
    let live_opts = LiveOptions {
        interface: interface.clone(),
        filter: filter.clone(),
        write: packet_file.as_ref().map(|f| f.reserve().to_path_buf()),
        count: args.count,
        duration: args.duration,
        snaplen: args.snaplen,
        promisc: args.promisc,
        buffer_size: args.buffer.clamp(1, 2047) * 1024 * 1024,
    };
    let mut sink = |frame: RawFrame<'_>| {
        analyzer.frame(frame);
        analyzer.output_failed().is_none()
    };
    let mut ready =
        || eprintln!("ftpflow: capturing on {interface} with filter \"{filter}\" (Ctrl-C to stop)");
    let counters = live::capture(&live_opts, &stop, &mut ready, &mut sink)
        .map_err(|e| CliError::Capture(e.message()))?;
    let mut summary = InputSummary::new(name);
    summary.packets = counters.packets;
    summary.bytes = counters.bytes;
    analyzer.add_input_summary(summary);
    eprintln!(
        "ftpflow: {} packets in {:.1} s (stopped by {}); libpcap: {} received by the filter, {} dropped by the kernel, {} dropped by the interface",
        counters.packets,
        counters.seconds,
        counters.stopped_by,
        counters.received,
        counters.dropped_by_kernel,
        counters.dropped_by_interface
    );
    if let Some(file) = packet_file {
        file.commit()?;
    }
    if let Some(path) = &args.write {
        eprintln!(
            "ftpflow: wrote {} (read it again with: ftpflow analyze {})",
            path.display(),
            path.display()
        );
    }
    analyzer.set_live_counters(counters);
    let report = analyzer.finish()?;
    if let Some(file) = report_file {
        file.commit()?;
    }
    if report.capture.ftp_sessions == 0 {
        eprintln!("{}", no_ftp_note(&report, &args.limits.ftp_ports));
    }
    Ok(Exit::Complete)
}

/// `ftpflow live --list-interfaces`.
fn list() -> Result<Exit, CliError> {
    let list = live::list_interfaces().map_err(|e| CliError::Capture(e.message()))?;
    for i in list {
        let flags = [(i.up, "up"), (i.loopback, "loopback")]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, n)| *n)
            .collect::<Vec<_>>()
            .join(", ");
        println!(
            "{:<16} {}{}{}",
            i.name,
            if flags.is_empty() {
                String::new()
            } else {
                format!("[{flags}] ")
            },
            i.description.map(|d| format!("{d} ")).unwrap_or_default(),
            i.addresses.join(" ")
        );
    }
    Ok(Exit::Complete)
}
