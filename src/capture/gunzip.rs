//! gzip decompression that hands out every byte it decompressed before a fault.
//!
//! flate2's readers (`MultiGzDecoder`) answer a read that runs into a corrupt deflate
//! stretch with an error and drop the bytes that same read had already decompressed, so
//! how much of a damaged file was analysed depended on how large the reads were: read
//! whole, a file lost every packet before the fault, read in small pieces it kept them
//! (found by the `capture_reader` fuzz target, which reads each input both ways). This
//! reader drives flate2's raw inflater itself: bytes decompressed before a fault come
//! first, the fault with the next read.
//!
//! **Input:** a byte stream of gzip members (RFC 1952: header, deflate data, CRC-32 and
//! length), any number in a row. **Output:** their decompressed bytes in order; an error
//! for a bad header, corrupt deflate data, a checksum or length that does not match, or a
//! stream that ends early (`UnexpectedEof`, which the caller reports as a cut file).

use flate2::{Crc, Decompress, FlushDecompress, Status};
use std::io::{self, BufRead, BufReader, Read};

/// Compressed bytes read at once.
const INPUT_BUF: usize = 64 * 1024;
/// Decompressed bytes made at once, whatever the caller asks for. The inflater keeps
/// output that does not fit the room it is given in its own window, and loses it on a
/// fault: given this much room each time (more than its 32 KiB window) it keeps nothing
/// back, so every byte before a fault comes out, and the same bytes for any read size.
const OUTPUT_BUF: usize = 128 * 1024;

const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
const FRESERVED: u8 = 0xe0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A member's header comes next (or the end, after at least one member).
    Header,
    /// Inside a member's deflate data.
    Body,
    /// The stream ended or failed: nothing more.
    Done,
}

/// Decompresses the gzip members `src` holds, one after the other.
pub struct Gunzip<R> {
    src: BufReader<R>,
    inflate: Decompress,
    crc: Crc,
    state: State,
    members: u64,
    /// A fault found while decompressing bytes already handed out: the next read's answer.
    fault: Option<io::Error>,
    /// Decompressed bytes not yet read: `out[out_at..out_end]`.
    out: Vec<u8>,
    out_at: usize,
    out_end: usize,
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message.to_string())
}

impl<R: Read> Gunzip<R> {
    /// A reader of the decompressed bytes of `src`.
    pub fn new(src: R) -> Gunzip<R> {
        Gunzip {
            src: BufReader::with_capacity(INPUT_BUF, src),
            inflate: Decompress::new(false),
            crc: Crc::new(),
            state: State::Header,
            members: 0,
            fault: None,
            out: Vec::new(),
            out_at: 0,
            out_end: 0,
        }
    }

    /// Reads a member's header (RFC 1952 section 2.3), leaving the deflate data next.
    fn header(&mut self) -> io::Result<()> {
        let mut fixed = [0u8; 10];
        self.src.read_exact(&mut fixed)?;
        if fixed[..3] != [0x1f, 0x8b, 8] {
            return Err(invalid("invalid gzip header"));
        }
        let flags = fixed[3];
        if flags & FRESERVED != 0 {
            return Err(invalid("invalid gzip header (reserved flags set)"));
        }
        if flags & FEXTRA != 0 {
            let mut len = [0u8; 2];
            self.src.read_exact(&mut len)?;
            self.skip(u64::from(u16::from_le_bytes(len)))?;
        }
        if flags & FNAME != 0 {
            self.skip_zero_terminated()?;
        }
        if flags & FCOMMENT != 0 {
            self.skip_zero_terminated()?;
        }
        if flags & FHCRC != 0 {
            self.skip(2)?;
        }
        Ok(())
    }

    fn skip(&mut self, n: u64) -> io::Result<()> {
        let skipped = io::copy(&mut (&mut self.src).take(n), &mut io::sink())?;
        if skipped < n {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }

    /// Skips a file name or comment without keeping it (it may be any length).
    fn skip_zero_terminated(&mut self) -> io::Result<()> {
        loop {
            let buf = self.src.fill_buf()?;
            if buf.is_empty() {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            match buf.iter().position(|&b| b == 0) {
                Some(at) => {
                    self.src.consume(at + 1);
                    return Ok(());
                }
                None => {
                    let n = buf.len();
                    self.src.consume(n);
                }
            }
        }
    }

    /// Checks a member's trailer: the CRC-32 and the length (mod 2^32) of its data.
    fn trailer(&mut self) -> io::Result<()> {
        let mut trailer = [0u8; 8];
        self.src.read_exact(&mut trailer)?;
        let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
        let len = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
        if crc != self.crc.sum() {
            return Err(invalid(
                "corrupt gzip stream does not have a matching checksum",
            ));
        }
        if len != self.crc.amount() {
            return Err(invalid(
                "corrupt gzip stream does not have a matching length",
            ));
        }
        Ok(())
    }

    /// Decompresses into `dst`: bytes written, or the fault that stopped it before any.
    fn inflate_into(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        loop {
            let input = self.src.fill_buf()?;
            let eof = input.is_empty();
            let (in_before, out_before) = (self.inflate.total_in(), self.inflate.total_out());
            let flush = if eof {
                FlushDecompress::Finish
            } else {
                FlushDecompress::None
            };
            let status = self.inflate.decompress(input, dst, flush);
            let consumed = (self.inflate.total_in() - in_before) as usize;
            let written = (self.inflate.total_out() - out_before) as usize;
            self.src.consume(consumed);
            self.crc.update(&dst[..written]);
            let fault = match status {
                Err(_) => Some(invalid("corrupt deflate stream")),
                Ok(Status::StreamEnd) => {
                    self.members += 1;
                    self.state = State::Header;
                    self.trailer().err()
                }
                Ok(Status::Ok | Status::BufError) if written == 0 => {
                    if eof {
                        Some(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "incomplete deflate stream",
                        ))
                    } else if consumed == 0 {
                        // Input and room for output, and no progress: never ends otherwise.
                        Some(invalid("corrupt deflate stream"))
                    } else {
                        continue;
                    }
                }
                Ok(_) => None,
            };
            return match fault {
                // The bytes first; the fault answers the next read.
                Some(e) if written > 0 => {
                    self.fault = Some(e);
                    Ok(written)
                }
                Some(e) => Err(e),
                None if written == 0 && self.state == State::Header => self.decompress(dst),
                None => Ok(written),
            };
        }
    }
}

impl<R: Read> Gunzip<R> {
    /// Decompresses the next bytes into `dst` (the next member's header first, if due):
    /// 0 at the end of the stream.
    fn decompress(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        if let Some(e) = self.fault.take() {
            self.state = State::Done;
            return Err(e);
        }
        let result = match self.state {
            State::Done => return Ok(0),
            State::Header => {
                // After a whole member the input may end; before the first it may not.
                if self.members > 0 && self.src.fill_buf()?.is_empty() {
                    self.state = State::Done;
                    return Ok(0);
                }
                self.header().map(|()| {
                    self.inflate.reset(false);
                    self.crc.reset();
                    self.state = State::Body;
                })
            }
            State::Body => Ok(()),
        };
        match result.and_then(|()| self.inflate_into(dst)) {
            Ok(n) => Ok(n),
            Err(e) => {
                self.state = State::Done;
                Err(e)
            }
        }
    }
}

impl<R: Read> Read for Gunzip<R> {
    fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        if dst.is_empty() {
            return Ok(0);
        }
        if self.out_at == self.out_end {
            let mut out = std::mem::take(&mut self.out);
            out.resize(OUTPUT_BUF, 0);
            let made = self.decompress(&mut out);
            self.out = out;
            self.out_at = 0;
            self.out_end = made?;
        }
        let n = dst.len().min(self.out_end - self.out_at);
        dst[..n].copy_from_slice(&self.out[self.out_at..self.out_at + n]);
        self.out_at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// A gzip member by hand: `data` in stored deflate blocks, then a block of the
    /// reserved type 3, which no inflater accepts.
    fn stored_then_corrupt(data: &[u8]) -> Vec<u8> {
        let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        for block in data.chunks(60_000) {
            let len = block.len() as u16;
            gz.push(0); // not final, stored; the rest of the byte is padding
            gz.extend_from_slice(&len.to_le_bytes());
            gz.extend_from_slice(&(!len).to_le_bytes());
            gz.extend_from_slice(block);
        }
        gz.push(0b111); // final, type 3
        gz.extend_from_slice(&[0; 8]);
        gz
    }

    /// Reads all of `r` with reads of `step` bytes: the bytes, and the error that ended it.
    fn read_all(mut r: impl Read, step: usize) -> (Vec<u8>, Option<io::Error>) {
        let mut out = Vec::new();
        let mut buf = vec![0u8; step];
        loop {
            match r.read(&mut buf) {
                Ok(0) => return (out, None),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => return (out, Some(e)),
            }
        }
    }

    #[test]
    fn members_in_a_row_and_header_fields() {
        let mut data = gzip(b"first member, ");
        data.extend_from_slice(&gzip(b""));
        // A member with FEXTRA, FNAME, FCOMMENT and FHCRC, written by hand around a
        // deflate body taken from an encoder's output.
        let plain = gzip(b"second one");
        let mut odd = vec![
            0x1f,
            0x8b,
            8,
            FEXTRA | FNAME | FCOMMENT | FHCRC,
            0,
            0,
            0,
            0,
            0,
            3,
        ];
        odd.extend_from_slice(&[3, 0, b'a', b'b', b'c']);
        odd.extend_from_slice(b"name.pcap\0a comment\0");
        odd.extend_from_slice(&[0x12, 0x34]);
        odd.extend_from_slice(&plain[10..]);
        data.extend_from_slice(&odd);
        for step in [1, 7, 1 << 16] {
            let (got, err) = read_all(Gunzip::new(&data[..]), step);
            assert!(err.is_none(), "{err:?}");
            assert_eq!(got, b"first member, second one");
        }
    }

    #[test]
    fn the_same_bytes_whatever_the_read_size_then_the_fault() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let gz = stored_then_corrupt(&data);
        for step in [1, 100, 4096, 1 << 20] {
            let (got, err) = read_all(Gunzip::new(&gz[..]), step);
            let err = err.expect("the corrupt block is reported");
            assert!(err.to_string().contains("corrupt deflate"), "{err}");
            assert!(
                got == data,
                "reads of {step} bytes gave {} bytes",
                got.len()
            );
        }
    }

    #[test]
    fn checksum_length_and_cuts_are_errors() {
        let good = gzip(b"some bytes");
        let mut bad_crc = good.clone();
        let n = bad_crc.len();
        bad_crc[n - 8] ^= 1;
        let (got, err) = read_all(Gunzip::new(&bad_crc[..]), 64);
        assert_eq!(got, b"some bytes");
        assert!(err.unwrap().to_string().contains("checksum"));
        for cut in 0..good.len() {
            let (_, err) = read_all(Gunzip::new(&good[..cut]), 64);
            assert!(err.is_some(), "cut at {cut}");
        }
        let mut trailing = good.clone();
        trailing.extend_from_slice(b"garbage");
        let (_, err) = read_all(Gunzip::new(&trailing[..]), 64);
        assert!(err.is_some());
    }
}
