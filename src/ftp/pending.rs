//! The commands waiting for a reply, and which of them a reply answers.
//!
//! **Input:** each command as it is parsed ([`PendingQueue::push`]: where it lies in the
//! client's stream and what the client had received when it sent it), each stretch of
//! either stream the capture lost ([`PendingQueue::lost`]), and each reply
//! ([`PendingQueue::place`]: where it lies in the server's stream, what the server had
//! received when it sent it, its code).
//!
//! **Output:** a [`Placement`]: the command the reply answers (after the commands whose
//! replies the capture lost), or a command the capture lost (the reply is its only trace),
//! or nothing (a reply nobody asked for).
//!
//! **Rules.** Replies answer commands first-in first-out (RFC 959), but a capture that
//! lost packets breaks plain counting, so two facts of TCP decide first:
//! 1. a reply answers only a command the server had received: the command ends at or
//!    before what the reply's segment acknowledges;
//! 2. a reply answers only a command sent before the client received that reply: the
//!    command's segment does not acknowledge the reply's first byte.
//!
//! Then:
//! * when the client sent a later command after receiving server bytes the capture lost,
//!   and the oldest command has no final reply, that reply was in the lost bytes;
//! * when bytes of the client's stream were lost before the oldest waiting command (or
//!   before what the reply acknowledges), the reply may answer a lost command: it does
//!   when it cannot answer the oldest waiting one (RFC 959's reply sets), or when no
//!   command waits;
//! * a reply that fits neither is still given to the oldest waiting command (servers send
//!   odd codes); a line that is not a reply at all, too.
//!
//! Without sequence information (acknowledgments not captured) the causal checks pass and
//! the rules reduce to first-in first-out with the reply sets. Bounded: at most `max`
//! waiting commands and [`MAX_GAPS`] remembered lost stretches per direction.

use std::collections::VecDeque;

/// Lost stretches remembered per direction (older ones no longer matter: their commands
/// and replies were settled long ago).
pub const MAX_GAPS: usize = 64;

/// A command waiting for its final reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    /// Index in the session's commands.
    pub index: usize,
    /// Where its line starts in the client's stream (byte offset).
    pub start: u64,
    /// Where its line ends in the client's stream (byte offset, exclusive).
    pub end: u64,
    /// The server-stream offset the client had acknowledged when it sent the command.
    pub ack: Option<u64>,
    /// Where the last preliminary reply to it (150) ended in the server's stream.
    pub replied_to: u64,
}

/// A reply being placed.
#[derive(Debug, Clone, Copy)]
pub struct Incoming {
    /// `None` for a line that is not a reply.
    pub code: Option<u16>,
    /// Where its first line starts in the server's stream.
    pub start: u64,
    /// The client-stream offset its segment acknowledged.
    pub ack: Option<u64>,
}

/// What a reply answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// It answers the waiting command `index`; the commands in `lost_replies` (oldest
    /// first) were answered in bytes the capture lost and no longer wait.
    Answers {
        /// Index of the answered command in the session's commands.
        index: usize,
        /// Commands whose replies the capture lost, oldest first.
        lost_replies: Vec<usize>,
    },
    /// It answers a command the capture lost, whose line lay at `start..end` of the
    /// client's stream; the commands in `lost_replies` no longer wait.
    LostCommand {
        /// Where the lost command's line starts in the client's stream.
        start: u64,
        /// Where it ends (exclusive).
        end: u64,
        /// Commands whose replies the capture lost, oldest first.
        lost_replies: Vec<usize>,
    },
    /// No command in the capture can have asked for it.
    Nothing {
        /// Commands whose replies the capture lost, oldest first.
        lost_replies: Vec<usize>,
    },
}

/// Which side's stream a lost stretch belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// The client's stream (commands).
    Client,
    /// The server's stream (replies).
    Server,
}

/// The waiting commands of one session and the stretches of its streams the capture lost.
#[derive(Debug)]
pub struct PendingQueue {
    queue: VecDeque<Waiting>,
    client_gaps: VecDeque<(u64, u64)>,
    server_gaps: VecDeque<(u64, u64)>,
    /// Everything of the client's stream before this offset was a command that is settled
    /// (answered, or answered in lost bytes) or a lost command already inferred.
    settled: u64,
    max: usize,
    /// Commands dropped from the front because the queue was full.
    pub dropped: u64,
}

impl PendingQueue {
    /// A queue of at most `max` waiting commands.
    pub fn new(max: usize) -> PendingQueue {
        PendingQueue {
            queue: VecDeque::new(),
            client_gaps: VecDeque::new(),
            server_gaps: VecDeque::new(),
            settled: 0,
            max: max.max(1),
            dropped: 0,
        }
    }

    /// A command was sent.
    pub fn push(&mut self, w: Waiting) {
        if self.queue.len() >= self.max {
            if let Some(old) = self.queue.pop_front() {
                self.settled = self.settled.max(old.end);
            }
            self.dropped += 1;
        }
        if self.queue.len() == self.queue.capacity() {
            // Most sessions wait for one command at a time: grow 1, 2, 4..., not to four
            // at once (every open session paid for three empty entries).
            self.queue.reserve_exact(self.queue.len().max(1));
        }
        self.queue.push_back(w);
    }

    /// Bytes `start..end` of one stream are missing from the capture.
    pub fn lost(&mut self, stream: Stream, start: u64, end: u64) {
        if end <= start {
            return;
        }
        let gaps = match stream {
            Stream::Client => &mut self.client_gaps,
            Stream::Server => &mut self.server_gaps,
        };
        if gaps.len() >= MAX_GAPS {
            gaps.pop_front();
        }
        gaps.push_back((start, end));
    }

    /// The waiting commands, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Waiting> + '_ {
        self.queue.iter()
    }

    /// The oldest waiting command.
    pub fn front(&self) -> Option<&Waiting> {
        self.queue.front()
    }

    /// True when no command waits.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// How many commands wait.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// The oldest waiting command got its final reply.
    pub fn answered(&mut self, index: usize) {
        if let Some(pos) = self.queue.iter().position(|w| w.index == index)
            && let Some(w) = self.queue.remove(pos)
        {
            self.settled = self.settled.max(w.end);
        }
    }

    /// A preliminary reply to the waiting command `index` ended at `end` of the server's
    /// stream.
    pub fn preliminary(&mut self, index: usize, end: u64) {
        if let Some(w) = self.queue.iter_mut().find(|w| w.index == index) {
            w.replied_to = w.replied_to.max(end);
        }
    }

    /// A command the capture lost was inferred at `start..end`: that stretch is settled.
    pub fn inferred(&mut self, end: u64) {
        self.settled = self.settled.max(end);
    }

    /// Decides what `reply` answers; `fits(index, code)` says whether a code may answer the
    /// command `index` (its verb's reply set), `identifies(code)` whether the code alone
    /// names a command (227: PASV). Commands whose replies were lost leave the queue here;
    /// the answered one leaves it when its final reply is handled ([`Self::answered`]).
    pub fn place(
        &mut self,
        reply: Incoming,
        fits: &dyn Fn(usize, u16) -> bool,
        identifies: bool,
    ) -> Placement {
        let mut lost_replies = Vec::new();
        // Replies the capture lost: a later command sent after the client received server
        // bytes the capture does not have, or a reply that fits a later command only.
        while self.queue.len() >= 2 {
            let (f, next) = (self.queue[0], self.queue[1]);
            if !causal(&f, &reply) || !causal(&next, &reply) {
                break;
            }
            // What the server sent after the oldest command's last reply seen, and the
            // client received before it sent the next command.
            let after = f.ack.unwrap_or(0).max(f.replied_to);
            let lost_between = match (f.ack, next.ack) {
                (Some(_), Some(b)) if b > after => self.gap_in(Stream::Server, after, b),
                _ => false,
            };
            let only_next_fits = reply
                .code
                .is_some_and(|c| !fits(f.index, c) && fits(next.index, c))
                && self.gap_in(Stream::Server, f.ack.unwrap_or(0), u64::MAX);
            if !(lost_between || only_next_fits) {
                break;
            }
            self.queue.pop_front();
            self.settled = self.settled.max(f.end);
            lost_replies.push(f.index);
        }

        match self.queue.front().copied() {
            Some(f) if causal(&f, &reply) => {
                let fits_front = reply.code.is_none_or(|c| fits(f.index, c));
                if !fits_front && identifies && self.gap_in(Stream::Client, self.settled, f.start) {
                    // A lost command before the oldest waiting one, which the reply names.
                    let (start, end) = self.lost_span(f.start);
                    return Placement::LostCommand {
                        start,
                        end,
                        lost_replies,
                    };
                }
                let limit = reply.ack.unwrap_or(u64::MAX);
                let after = f.ack.unwrap_or(0).max(f.replied_to);
                if self.queue.len() == 1
                    && self.gap_in(Stream::Client, f.end, limit)
                    && self.gap_in(Stream::Server, after, reply.start)
                {
                    // The server sent something the capture lost after the oldest command's
                    // last reply seen, and the client sent a command the capture lost after
                    // it: the lost server bytes were the oldest command's (final) reply, and
                    // this reply answers the lost command (the server answers in order).
                    self.queue.pop_front();
                    self.settled = self.settled.max(f.end);
                    lost_replies.push(f.index);
                    let (start, end) = self.lost_span(limit);
                    return Placement::LostCommand {
                        start,
                        end,
                        lost_replies,
                    };
                }
                Placement::Answers {
                    index: f.index,
                    lost_replies,
                }
            }
            front => {
                // Nothing waiting could have asked for it: a lost command before the oldest
                // waiting one (or before what the reply acknowledges), or nothing.
                let limit = match (front, reply.ack) {
                    (Some(f), Some(a)) => f.start.min(a),
                    (Some(f), None) => f.start,
                    (None, Some(a)) => a,
                    (None, None) => u64::MAX,
                };
                if self.gap_in(Stream::Client, self.settled, limit) {
                    let (start, end) = self.lost_span(limit);
                    Placement::LostCommand {
                        start,
                        end,
                        lost_replies,
                    }
                } else {
                    Placement::Nothing { lost_replies }
                }
            }
        }
    }

    /// Is any byte of `from..to` of `stream` missing from the capture?
    fn gap_in(&self, stream: Stream, from: u64, to: u64) -> bool {
        let gaps = match stream {
            Stream::Client => &self.client_gaps,
            Stream::Server => &self.server_gaps,
        };
        gaps.iter().any(|&(a, b)| a < to && b > from)
    }

    /// Where a lost command lies: from the first lost byte after what is settled, to
    /// `limit` (what the reply acknowledged, or the next waiting command), or to the end of
    /// that lost stretch when nothing limits it.
    fn lost_span(&self, limit: u64) -> (u64, u64) {
        let settled = self.settled;
        self.client_gaps
            .iter()
            .find(|&&(a, b)| a < limit && b > settled)
            .map(|&(a, b)| {
                let end = if limit == u64::MAX { b } else { limit };
                (a.max(settled), end)
            })
            .unwrap_or((settled, settled))
    }
}

/// Could this reply answer this command as far as TCP tells? The server had received the
/// command when it sent the reply, and the client sent the command before it received
/// the reply.
fn causal(c: &Waiting, r: &Incoming) -> bool {
    let received = r.ack.is_none_or(|a| c.end <= a);
    let sent_before = c.ack.is_none_or(|k| k <= r.start);
    received && sent_before
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(index: usize, start: u64, end: u64, ack: u64) -> Waiting {
        Waiting {
            index,
            start,
            end,
            ack: Some(ack),
            replied_to: 0,
        }
    }

    fn r(code: u16, start: u64, ack: u64) -> Incoming {
        Incoming {
            code: Some(code),
            start,
            ack: Some(ack),
        }
    }

    /// PASV (0) answers 227, SIZE (1) 213, RETR (2) 150/226.
    fn fits(index: usize, code: u16) -> bool {
        code >= 400
            || match index % 3 {
                0 => code == 227,
                1 => code == 213,
                _ => matches!(code, 150 | 226),
            }
    }

    #[test]
    fn first_in_first_out_when_nothing_is_lost() {
        let mut q = PendingQueue::new(8);
        q.push(w(0, 0, 6, 20));
        q.push(w(1, 6, 20, 20));
        let p = q.place(r(227, 20, 20), &fits, true);
        assert_eq!(
            p,
            Placement::Answers {
                index: 0,
                lost_replies: vec![]
            }
        );
        q.answered(0);
        let p = q.place(r(213, 60, 20), &fits, false);
        assert_eq!(
            p,
            Placement::Answers {
                index: 1,
                lost_replies: vec![]
            }
        );
    }

    #[test]
    fn a_reply_sent_before_the_server_had_the_command_answers_a_lost_one() {
        let mut q = PendingQueue::new(8);
        // PASV at 0..6 was lost; SIZE at 6..20 is captured; the 227 acknowledges only 6.
        q.lost(Stream::Client, 0, 6);
        q.push(w(1, 6, 20, 40));
        let p = q.place(r(227, 40, 6), &fits, true);
        assert_eq!(
            p,
            Placement::LostCommand {
                start: 0,
                end: 6,
                lost_replies: vec![]
            }
        );
        q.inferred(6);
        // The 213 that follows answers the SIZE.
        let p = q.place(r(213, 80, 20), &fits, false);
        assert_eq!(
            p,
            Placement::Answers {
                index: 1,
                lost_replies: vec![]
            }
        );
    }

    #[test]
    fn a_reply_lost_with_the_client_going_on_is_skipped() {
        let mut q = PendingQueue::new(8);
        // PASV sent when the client had 100 server bytes; its 227 (100..150) was lost; the
        // client sent SIZE after receiving it (ack 150), and the 213 answers the SIZE.
        q.push(w(0, 0, 6, 100));
        q.lost(Stream::Server, 100, 150);
        q.push(w(1, 6, 20, 150));
        let p = q.place(r(213, 150, 20), &fits, false);
        assert_eq!(
            p,
            Placement::Answers {
                index: 1,
                lost_replies: vec![0]
            }
        );
    }

    #[test]
    fn a_reply_the_client_had_before_sending_cannot_answer_that_command() {
        let mut q = PendingQueue::new(8);
        // The client sent SIZE after receiving the 227 at 40: the 227 answers an earlier
        // (lost) command, not the SIZE.
        q.lost(Stream::Client, 0, 6);
        q.push(w(1, 6, 20, 80));
        let p = q.place(r(227, 40, 6), &fits, true);
        assert!(matches!(p, Placement::LostCommand { .. }));
        // Without a lost stretch it is a reply nobody asked for.
        let mut q = PendingQueue::new(8);
        q.push(w(1, 6, 20, 80));
        let p = q.place(r(421, 40, 6), &fits, false);
        assert_eq!(
            p,
            Placement::Nothing {
                lost_replies: vec![]
            }
        );
    }

    #[test]
    fn without_sequence_information_it_is_first_in_first_out() {
        let mut q = PendingQueue::new(8);
        for i in 0..3 {
            q.push(Waiting {
                index: i,
                start: i as u64 * 10,
                end: i as u64 * 10 + 10,
                ack: None,
                replied_to: 0,
            });
        }
        let odd = Incoming {
            code: None,
            start: 0,
            ack: None,
        };
        assert_eq!(
            q.place(odd, &fits, false),
            Placement::Answers {
                index: 0,
                lost_replies: vec![]
            }
        );
    }

    #[test]
    fn the_queue_is_bounded() {
        let mut q = PendingQueue::new(2);
        for i in 0..5 {
            q.push(w(i, i as u64, i as u64 + 1, 0));
        }
        assert_eq!(q.len(), 2);
        assert_eq!(q.dropped, 3);
        assert_eq!(q.front().map(|f| f.index), Some(3));
    }
}
