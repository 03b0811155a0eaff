//! `--format svg` and `--format mermaid`: the ladder diagram of one session alone, for
//! slides, articles and Markdown.
//!
//! A sink of the event stream that draws the one session it is given (choose it with
//! `--session N`; a capture of one session needs no choice). It keeps the first session's
//! ladder and only counts the others, so a wrong choice costs no memory; when the capture
//! ends it adds the advice about that session and writes the picture, or says which
//! sessions there are to choose from.

use super::RenderOptions;
use super::ladder::{Ladder, LadderBuilder, mermaid, svg};
use crate::model::events::{Event, Sink};
use std::io::{self, Write};

/// Which picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Picture {
    /// An SVG document.
    Svg,
    /// A Mermaid `sequenceDiagram`.
    Mermaid,
}

impl Picture {
    fn name(self) -> &'static str {
        match self {
            Picture::Svg => "svg",
            Picture::Mermaid => "mermaid",
        }
    }
}

/// Session numbers named in the message when there are several to choose from.
const NAMED: usize = 12;

/// The one-session picture's sink.
pub struct PictureSink {
    out: Box<dyn Write>,
    picture: Picture,
    builder: LadderBuilder,
    advisor: crate::advice::Advisor,
    chosen: Option<Ladder>,
    /// The sessions seen: how many, and the first few numbers.
    count: u64,
    ids: Vec<u32>,
}

impl PictureSink {
    /// A sink writing `picture` to `out`.
    pub fn new(out: Box<dyn Write>, picture: Picture, opts: &RenderOptions) -> PictureSink {
        PictureSink {
            out,
            picture,
            builder: LadderBuilder::new(opts),
            advisor: crate::advice::Advisor::new(),
            chosen: None,
            count: 0,
            ids: Vec::new(),
        }
    }

    fn finished(&mut self) -> io::Result<()> {
        let format = self.picture.name();
        let mut ladder = match (self.chosen.take(), self.count) {
            (Some(l), 1) => l,
            (_, 0) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "--format {format}: no FTP session to draw (none in the capture, \
                         or none kept by --session, --host or --user)"
                    ),
                ));
            }
            (_, n) => {
                let mut ids: Vec<String> = self.ids.iter().map(u32::to_string).collect();
                ids.sort_by_key(|id| id.parse::<u32>().unwrap_or(0));
                if n as usize > ids.len() {
                    ids.push("…".into());
                }
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "--format {format} draws one session and this capture has {n} \
                         (sessions {}): choose one with --session N, or use --format html \
                         for all of them",
                        ids.join(", ")
                    ),
                ));
            }
        };
        ladder.add_advice(&self.advisor.advice(None));
        let text = match self.picture {
            Picture::Svg => svg::render(&ladder, svg::Embed::Standalone),
            Picture::Mermaid => mermaid::render(&ladder),
        };
        self.out.write_all(text.as_bytes())?;
        self.out.flush()
    }
}

impl Sink for PictureSink {
    fn wants_steps(&self) -> bool {
        true
    }

    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        match ev {
            Event::Started { first_ts, .. } => self.builder.start(*first_ts),
            Event::Step { session, step } => {
                if self.count == 0 {
                    self.builder.push(session, step);
                }
            }
            Event::SessionEnded(s) => {
                self.count += 1;
                if self.ids.len() < NAMED {
                    self.ids.push(s.id);
                }
                self.advisor.observe(s);
                if self.count == 1 {
                    self.chosen = Some(self.builder.finish(s));
                } else {
                    self.chosen = None;
                }
            }
            Event::Finished(_) => return self.finished(),
            Event::Unlinked(_) | Event::Progress { .. } => {}
        }
        Ok(())
    }
}
