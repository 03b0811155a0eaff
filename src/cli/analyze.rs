//! `ftpflow analyze`: capture files in, one report out (or one per file).
//!
//! By default every file given is part of one capture, read in the order given. With
//! `--separate` each file is its own capture with its own report; `--jobs N` analyses up to
//! N of them at once and prints the reports in the order the files were given, so the
//! output is the same byte for byte as with `--jobs 1`. Each report is held in memory
//! until the reports before it are printed; with one job they go straight to the output.
//!
//! Exit codes are those of [`Exit`]; with `--separate`, 2 only if no file could be
//! analysed, 1 if any was damaged or unusable while others were fine.

use super::exit::{CliError, Exit};
use super::output::{PendingFile, report_writer};
use super::progress::{self, Progress};
use super::signals::{StoppableStdin, stop_on_signal};
use super::{AnalyzeArgs, no_ftp_note, use_color};
use crate::analyze::{Analyzer, Config};
use crate::capture::counted::Counted;
use crate::capture::{Input, InputProblem, ReadAhead};
use crate::report::zeek::ZeekOptions;
use crate::report::{self, Format, RenderOptions, safe};
use std::cell::RefCell;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// What the analysis of one capture needs besides its inputs.
struct Job<'a> {
    cfg: Config,
    format: Format,
    opts: RenderOptions,
    ftp_ports: &'a [u16],
    /// Set by Ctrl-C or SIGTERM when stdin is among the inputs.
    stop: Option<Arc<AtomicBool>>,
    /// The capture is one element of a JSON array (`--separate --format json`).
    json_element: bool,
    /// `--session`, `--host`, `--user`.
    criteria: crate::report::filter::Criteria,
    /// `--write-session N`: where session N's connections are noted.
    tap: Option<(u32, Arc<std::sync::Mutex<super::write_session::Found>>)>,
    /// `--zeek-logs`: one folder, or with `--separate` one per input (in input order).
    zeek: Vec<ZeekOptions>,
    /// The progress shown on stderr, if any.
    progress: Option<Progress>,
}

impl Job<'_> {
    /// Prints a note on stderr (translated), past the progress bar if one is shown.
    fn note(&self, note: &str) {
        let line = self.opts.lang.tr(&safe::prose(note)).into_owned();
        match &self.progress {
            Some(p) => p.note(&line),
            None => eprintln!("{line}"),
        }
    }
}

/// How the analysis of one capture ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Outcome {
    exit: Exit,
    /// The output is closed (a reader such as `head` went away): analyse nothing more.
    output_closed: bool,
}

pub(super) fn run(mut args: AnalyzeArgs) -> Result<Exit, CliError> {
    let mut cfg = super::config(&args.limits, &args.output)?;
    if args.count == Some(0) {
        return Err(CliError::Usage("-c must be at least 1 packet".into()));
    }
    cfg.max_packets = args.count;
    let criteria = super::criteria(&args.keep)?;
    super::check_drawing(
        args.format,
        &args.keep,
        args.separate,
        args.output.output.is_some(),
    )?;
    // -r FILE (tcpdump's, tshark's) comes before the positional captures.
    let mut captures = std::mem::take(&mut args.read);
    captures.append(&mut args.captures);
    args.captures = captures;
    if args.captures.iter().filter(|c| c.as_str() == "-").count() > 1 {
        return Err(CliError::Usage(
            "\"-\" (stdin) can be given only once".into(),
        ));
    }
    if args.jobs == Some(0) {
        return Err(CliError::Usage("--jobs must be at least 1".into()));
    }
    let inputs: Vec<Input> = args.captures.iter().map(|a| Input::parse(a)).collect();
    let jobs = args
        .jobs
        .unwrap_or_else(default_jobs)
        .min(inputs.len())
        .max(1);
    // A reader thread per job only while there are cores for it: with --separate -j 2 on
    // two cores, reading on the analysing threads was faster (two 500 MB files: 0.14 s
    // against 0.15 s; one job: 0.20 s with read-ahead against 0.27 s without).
    let threads = if args.separate { jobs * 2 } else { 2 };
    if !args.no_read_ahead && (jobs == 1 || threads <= default_jobs()) {
        cfg.read_ahead = Some(ReadAhead::default());
    }
    // Open the output first: a wrong path should fail before a long analysis, and an
    // output that names an input is refused before anything is written.
    let input_paths: Vec<&Path> = inputs
        .iter()
        .filter_map(|i| match i {
            Input::Path(p) => Some(p.as_path()),
            Input::Stdin => None,
        })
        .collect();
    let pending = match &args.output.output {
        Some(path) => Some(PendingFile::plan(path, &input_paths, "-o")?),
        None => None,
    };
    let write_session = match args.write_session.as_slice() {
        [] => None,
        [n, file] => Some(plan_write_session(n, file, &args, &input_paths)?),
        _ => unreachable!("clap takes two values"),
    };
    let progress = start_progress(&args, &inputs);
    let out = match &progress {
        // The report and the bar share the terminal: the bar steps aside for each line.
        Some(p) if pending.is_none() && io::stdout().is_terminal() => {
            Box::new(io::BufWriter::new(p.stdout()))
        }
        _ => report_writer(pending.as_ref())?,
    };
    // A pipe may never end: Ctrl-C or SIGTERM then ends the input and the summary follows.
    let stop = if inputs.contains(&Input::Stdin) {
        Some(stop_on_signal()?)
    } else {
        None
    };
    let job = Job {
        cfg,
        format: args.format,
        opts: RenderOptions {
            verbose: args.output.verbose,
            color: use_color(&args.output),
            full_listing: args.output.full_listing,
            stats: args.output.stats,
            advice: args.output.advice,
            lang: args.output.lang,
            time_format: args.output.time_format,
            width: crate::report::fit::output_width(args.output.output.is_none()),
        },
        ftp_ports: &args.limits.ftp_ports,
        stop,
        json_element: args.separate && args.format == Format::Json,
        criteria,
        tap: write_session.as_ref().map(|(n, _)| (*n, Arc::default())),
        zeek: zeek_dirs(&args, &inputs)?,
        progress,
    };
    if !args.separate {
        let exit = analyze_capture(&inputs, &job, out, job.zeek.first(), &mut |note| {
            job.note(&note)
        })?
        .exit;
        if let (Some((n, file)), Some((_, found))) = (write_session, &job.tap)
            && exit != Exit::Failed
        {
            let found = found.lock().unwrap_or_else(|e| e.into_inner());
            write_one_session(&inputs, n, &found, args.count, file)?;
        }
        return commit_unless_failed(pending, exit);
    }
    let joined = Rc::new(RefCell::new(Joiner::new(out, args.format)));
    let outcomes = if jobs == 1 {
        one_by_one(&inputs, &job, &joined)?
    } else {
        in_parallel(&inputs, &job, jobs, &joined)?
    };
    let finished = joined.borrow_mut().finish();
    // The joiner holds the output file: close it before the file is renamed into place.
    drop(joined);
    match finished {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CliError::Output(e)),
        _ => commit_unless_failed(
            pending,
            Exit::combine(&outcomes.iter().map(|o| o.exit).collect::<Vec<_>>()),
        ),
    }
}

/// Checks `--write-session N FILE`: a session number, a file that is neither an input nor
/// the `-o` output, inputs that can be read twice (not stdin), one capture.
fn plan_write_session(
    n: &str,
    file: &str,
    args: &AnalyzeArgs,
    input_paths: &[&Path],
) -> Result<(u32, PendingFile), CliError> {
    let usage = |m: String| Err(CliError::Usage(m));
    let n = match n.parse::<u32>() {
        Ok(n) if n > 0 => n,
        _ => {
            return usage(format!(
                "--write-session {n:?}: not a session number (1, 2, ...)"
            ));
        }
    };
    if args.captures.iter().any(|c| c == "-") {
        return usage(
            "--write-session reads the capture a second time, which stdin cannot do:              save it to a file first"
                .into(),
        );
    }
    if args.separate {
        return usage(
            "--write-session takes one capture: it cannot be used with --separate".into(),
        );
    }
    let mut others: Vec<&Path> = input_paths.to_vec();
    if let Some(o) = &args.output.output {
        others.push(o.as_path());
    }
    Ok((
        n,
        PendingFile::plan(Path::new(file), &others, "--write-session")?,
    ))
}

/// The second pass of `--write-session`: writes session `n`'s packets, or says why not.
fn write_one_session(
    inputs: &[Input],
    n: u32,
    found: &super::write_session::Found,
    count: Option<u64>,
    file: PendingFile,
) -> Result<(), CliError> {
    if !found.seen {
        return Err(CliError::Usage(format!(
            "--write-session {n}: the capture has no session {n} (nothing written)"
        )));
    }
    let path = file.dest().display().to_string();
    let written = super::write_session::write(inputs, &found.spans, count, file)?;
    eprintln!(
        "ftpflow: wrote {} packets of session {n} to {}",
        written.frames,
        safe::prose(&path)
    );
    if written.other_link > 0 {
        eprintln!(
            "ftpflow: warning: --write-session {n}: {} packets of another link type than the first were left out (a pcap file has one link type)",
            written.other_link
        );
    }
    Ok(())
}

/// The `--zeek-logs` folder of each capture: the folder itself, or with `--separate` a
/// folder per input inside it named after the file (`stdin` for "-"; a repeated name gets
/// `-2`, `-3`...). The folder is made now, so a path that cannot be one fails before the
/// analysis.
fn zeek_dirs(args: &AnalyzeArgs, inputs: &[Input]) -> Result<Vec<ZeekOptions>, CliError> {
    let Some(base) = super::zeek_options(&args.output) else {
        return Ok(Vec::new());
    };
    std::fs::create_dir_all(&base.dir).map_err(|error| CliError::OutputFile {
        path: format!("--zeek-logs {}", base.dir.display()),
        error,
    })?;
    if !args.separate {
        return Ok(vec![base]);
    }
    let mut used = std::collections::HashSet::new();
    let mut dirs = Vec::new();
    for input in inputs {
        let name = match input {
            Input::Path(p) => p
                .file_name()
                .map_or_else(|| "capture".into(), |n| n.to_string_lossy().into_owned()),
            Input::Stdin => "stdin".into(),
        };
        let mut unique = name.clone();
        let mut n = 1;
        while !used.insert(unique.clone()) {
            n += 1;
            unique = format!("{name}-{n}");
        }
        dirs.push(ZeekOptions {
            dir: base.dir.join(unique),
            json: base.json,
        });
    }
    Ok(dirs)
}

/// The progress display for this run: `--progress` lines, a bar when stderr is a terminal
/// (unless `-q`), else none. The total is the inputs' size when every input is a file.
fn start_progress(args: &AnalyzeArgs, inputs: &[Input]) -> Option<Progress> {
    let mode = if args.progress {
        progress::Mode::Lines
    } else if !args.quiet && io::stderr().is_terminal() {
        progress::Mode::Bar
    } else {
        return None;
    };
    let total = inputs
        .iter()
        .map(|i| match i {
            Input::Path(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            Input::Stdin => None,
        })
        .sum::<Option<u64>>();
    Some(Progress::start(mode, total))
}

/// A run that printed results puts its `-o` file in place; one that could analyse nothing
/// leaves the previous file as it was.
fn commit_unless_failed(pending: Option<PendingFile>, exit: Exit) -> Result<Exit, CliError> {
    if let Some(file) = pending
        && exit != Exit::Failed
    {
        file.commit()?;
    }
    Ok(exit)
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `--separate` with one job: each capture's output goes straight to the output.
fn one_by_one(
    inputs: &[Input],
    job: &Job<'_>,
    joined: &Rc<RefCell<Joiner>>,
) -> Result<Vec<Outcome>, CliError> {
    let mut outcomes = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        let out = Box::new(JoinedPart {
            joiner: joined.clone(),
            started: false,
        });
        let zeek = job.zeek.get(index);
        let outcome = analyze_capture(std::slice::from_ref(input), job, out, zeek, &mut |note| {
            job.note(&note)
        })?;
        outcomes.push(outcome);
        if outcome.output_closed {
            break;
        }
    }
    Ok(outcomes)
}

/// One capture's output and notes, analysed by a worker.
struct Finished {
    index: usize,
    output: Held,
    notes: Vec<String>,
    outcome: Result<Outcome, CliError>,
}

/// `--separate` with several jobs: workers take the next file in turn; the outputs are
/// printed in the order of the files, each as soon as the ones before it are printed.
fn in_parallel(
    inputs: &[Input],
    job: &Job<'_>,
    jobs: usize,
    joined: &Rc<RefCell<Joiner>>,
) -> Result<Vec<Outcome>, CliError> {
    let next = AtomicUsize::new(0);
    let closed = AtomicBool::new(false);
    let mut outcomes = Vec::new();
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<Finished>();
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, closed) = (&next, &closed);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= inputs.len() || closed.load(Ordering::Relaxed) {
                        return;
                    }
                    let held = Rc::new(RefCell::new(Held::new(SPILL_AT)));
                    let mut notes = Vec::new();
                    let outcome = analyze_capture(
                        &inputs[index..=index],
                        job,
                        Box::new(SharedHeld(held.clone())),
                        job.zeek.get(index),
                        &mut |note| notes.push(note),
                    );
                    let output = std::mem::replace(&mut *held.borrow_mut(), Held::new(0));
                    let done = Finished {
                        index,
                        output,
                        notes,
                        outcome,
                    };
                    if tx.send(done).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        // Print in order: hold what finished early until its turn.
        let mut waiting: Vec<Option<Finished>> = (0..inputs.len()).map(|_| None).collect();
        let mut turn = 0;
        for done in rx {
            let i = done.index;
            waiting[i] = Some(done);
            while let Some(Some(done)) = waiting.get_mut(turn).map(Option::take) {
                for note in &done.notes {
                    job.note(note);
                }
                let mut output = done.output;
                let written = done.outcome.and_then(|outcome| {
                    if output.is_empty() || outcome.output_closed {
                        return Ok(outcome);
                    }
                    let mut joiner = joined.borrow_mut();
                    match joiner.start().and_then(|_| output.copy_to(&mut joiner.out)) {
                        Ok(()) => Ok(outcome),
                        Err(e) => write_failed(e, outcome.exit),
                    }
                });
                let outcome = match written {
                    Ok(o) => o,
                    Err(e) => {
                        closed.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                };
                outcomes.push(outcome);
                turn += 1;
                if outcome.output_closed {
                    closed.store(true, Ordering::Relaxed);
                    return Ok(());
                }
            }
        }
        Ok(())
    })?;
    Ok(outcomes)
}

/// Analyses `inputs` as one capture and writes its report to `out`; warnings and notes go
/// to `say` (stderr, or a buffer printed later in order).
fn analyze_capture(
    inputs: &[Input],
    job: &Job<'_>,
    out: Box<dyn Write>,
    zeek: Option<&ZeekOptions>,
    say: &mut dyn FnMut(String),
) -> Result<Outcome, CliError> {
    // Every format is written as the analysis runs, each session when it ends; from a
    // pipe, the output is flushed then too (the pipe may never end).
    let from_pipe = inputs.contains(&Input::Stdin);
    let sink = report::sink(job.format, &job.opts, out, from_pipe, job.json_element);
    // The Zeek logs see what the format sees: the filter wraps both, and comes before the
    // statistics and the advice, so they count kept sessions.
    let sink = super::with_zeek(sink, zeek)?;
    let mut sink = report::filter::wrap(sink, &job.criteria);
    if let Some((n, found)) = &job.tap {
        sink = Box::new(super::write_session::Tap::new(sink, *n, found.clone()));
    }
    let mut analyzer = Analyzer::with_sink(job.cfg.clone(), sink);
    if let Some(p) = &job.progress {
        analyzer.on_progress(p.hook());
    }
    let (mut usable, mut damaged) = (0usize, 0usize);
    for input in inputs {
        if analyzer.count_reached() {
            break;
        }
        let mut stopped_by_signal = false;
        let summary = match (input, &job.stop) {
            (Input::Stdin, Some(flag)) => {
                let (stdin, stopped) = StoppableStdin::new(flag.clone());
                let summary = analyzer.read_named(&input.name(), Box::new(Counted(stdin)));
                stopped_by_signal = stopped.load(Ordering::Relaxed);
                summary
            }
            _ => analyzer.read(input),
        };
        if stopped_by_signal {
            say(format!(
                "ftpflow: stopped by a signal after {} packets of {}; the summary covers what was read",
                summary.packets, summary.name
            ));
        }
        for w in &summary.warnings {
            say(format!("ftpflow: warning: {}: {w}", summary.name));
        }
        if summary.corrupt_records > 0 && summary.problem.is_none() {
            // Corrupt records were skipped: results are printed, the input was damaged.
            damaged += 1;
        }
        match &summary.problem {
            None => usable += 1,
            // The stop cut the stream inside a record: that is the user's stop, not damage.
            Some(InputProblem::Truncated { .. }) if stopped_by_signal => usable += 1,
            Some(p) => {
                say(format!("ftpflow: {}", p.message(&summary.name)));
                if p.is_fatal() {
                    damaged += 1;
                } else {
                    usable += 1;
                    damaged += 1;
                }
            }
        }
        if analyzer.output_failed().is_some() {
            break;
        }
    }
    let exit = Exit::of_inputs(usable, damaged);
    if exit == Exit::Failed {
        return Ok(Outcome {
            exit,
            output_closed: false,
        });
    }
    let stream_error = analyzer
        .output_failed()
        .map(|e| io::Error::new(e.kind(), e.to_string()));
    let report = match (analyzer.finish(), stream_error) {
        (_, Some(e)) | (Err(e), None) => return write_failed(e, exit),
        (Ok(r), None) => r,
    };
    if report.capture.ftp_sessions == 0 {
        say(no_ftp_note(&report, job.ftp_ports));
    }
    Ok(Outcome {
        exit,
        output_closed: false,
    })
}

/// A write to the output failed: a closed pipe ends the work quietly (the reader has what
/// it wanted), anything else is an error.
fn write_failed(e: io::Error, exit: Exit) -> Result<Outcome, CliError> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return Ok(Outcome {
            exit,
            output_closed: true,
        });
    }
    Err(CliError::Output(e))
}

/// The one output that separate captures share: what goes between two captures' reports
/// (a blank line; a comma in a JSON array) and around them (the array's brackets).
struct Joiner {
    out: Box<dyn Write>,
    format: Format,
    /// Reports started so far.
    parts: usize,
}

impl Joiner {
    fn new(out: Box<dyn Write>, format: Format) -> Joiner {
        Joiner {
            out,
            format,
            parts: 0,
        }
    }

    /// Called before the first byte of a capture's report. Captures that print nothing
    /// (not a capture at all) get no separator, so the JSON array stays well-formed.
    fn start(&mut self) -> io::Result<()> {
        let first = self.parts == 0;
        self.parts += 1;
        match (self.format, first) {
            (Format::Json, true) => self.out.write_all(b"[\n"),
            (Format::Json, false) => self.out.write_all(b",\n"),
            (Format::Timeline | Format::Table | Format::Stats, false) => self.out.write_all(b"\n"),
            _ => Ok(()),
        }
    }

    fn finish(&mut self) -> io::Result<()> {
        if self.format == Format::Json {
            let end: &[u8] = if self.parts == 0 { b"[]\n" } else { b"\n]\n" };
            self.out.write_all(end)?;
        }
        self.out.flush()
    }
}

/// A capture's share of the [`Joiner`]'s output, for `--jobs 1`: the separator is written
/// on the first byte.
struct JoinedPart {
    joiner: Rc<RefCell<Joiner>>,
    started: bool,
}

impl Write for JoinedPart {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut joiner = self.joiner.borrow_mut();
        if !self.started && !buf.is_empty() {
            self.started = true;
            joiner.start()?;
        }
        joiner.out.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.joiner.borrow_mut().out.flush()
    }
}

/// Output held in memory before it moves to a temporary file.
const SPILL_AT: usize = 4 << 20;

/// A worker's output until its turn comes: in memory up to `spill_at` bytes, then in an
/// unnamed temporary file, so that a large report waiting behind a slower capture does
/// not have to fit in memory (the 100,000-session capture's JSON is 1.3 GB).
struct Held {
    mem: Vec<u8>,
    /// Buffered: the renderers write a token at a time.
    file: Option<io::BufWriter<std::fs::File>>,
    len: u64,
    spill_at: usize,
}

impl Held {
    fn new(spill_at: usize) -> Held {
        Held {
            mem: Vec::new(),
            file: None,
            len: 0,
            spill_at,
        }
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Writes everything held to `out`.
    fn copy_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if let Some(file) = &mut self.file {
            use std::io::Seek;
            file.flush()?;
            let file = file.get_mut();
            file.seek(io::SeekFrom::Start(0))?;
            io::copy(file, out)?;
        }
        out.write_all(&self.mem)
    }
}

impl Write for Held {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.file.is_none() && self.mem.len() + buf.len() > self.spill_at {
            // No temporary file to be had: keep holding in memory.
            if let Ok(file) = tempfile::tempfile() {
                let mut file = io::BufWriter::with_capacity(1 << 16, file);
                file.write_all(&self.mem)?;
                self.mem = Vec::new();
                self.file = Some(file);
            }
        }
        match &mut self.file {
            Some(file) => file.write_all(buf)?,
            None => self.mem.extend_from_slice(buf),
        }
        self.len += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A worker's [`Held`] output, shared with the renderer that writes into it.
struct SharedHeld(Rc<RefCell<Held>>);

impl Write for SharedHeld {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes a [`Held`] gives back.
    fn held_bytes(held: &mut Held) -> Vec<u8> {
        let mut out = Vec::new();
        held.copy_to(&mut out).unwrap();
        out
    }

    #[test]
    fn json_array_is_well_formed_around_missing_reports() {
        let held = Rc::new(RefCell::new(Held::new(usize::MAX)));
        let mut j = Joiner::new(Box::new(SharedHeld(held.clone())), Format::Json);
        j.finish().unwrap();
        assert_eq!(held_bytes(&mut held.borrow_mut()), b"[]\n");
        let held = Rc::new(RefCell::new(Held::new(usize::MAX)));
        let mut j = Joiner::new(Box::new(SharedHeld(held.clone())), Format::Json);
        for doc in ["{\"a\":1}", "{\"b\":2}"] {
            j.start().unwrap();
            j.out.write_all(doc.as_bytes()).unwrap();
        }
        j.finish().unwrap();
        let v: serde_json::Value =
            serde_json::from_slice(&held_bytes(&mut held.borrow_mut())).unwrap();
        assert_eq!(v, serde_json::json!([{"a": 1}, {"b": 2}]));
    }

    #[test]
    fn held_output_moves_to_a_file_past_its_bound_and_comes_back_whole() {
        let mut held = Held::new(10);
        let mut want = Vec::new();
        for chunk in [&b"0123"[..], b"456789ab", b"", b"cdefghijklmnop"] {
            held.write_all(chunk).unwrap();
            want.extend_from_slice(chunk);
        }
        assert!(held.file.is_some(), "past 10 bytes the output is in a file");
        assert!(held.mem.is_empty());
        assert_eq!(held_bytes(&mut held), want);
        let mut small = Held::new(10);
        small.write_all(b"short").unwrap();
        assert!(small.file.is_none());
        assert_eq!(held_bytes(&mut small), b"short");
        assert!(Held::new(10).is_empty() && !small.is_empty());
    }
}
