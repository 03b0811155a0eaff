//! A table's rows, in flat memory: kept as text in memory up to a bound, then in an unnamed
//! temporary file, and printed when the capture ends.
//!
//! Small tables (nearly all) are drawn by `comfy-table`. A table too large to hold (a SYN
//! flood gives a session per flow) is drawn here, row by row from the file, in the same
//! style and with the same column widths, byte for byte (a test draws the same rows both
//! ways).

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use unicode_width::UnicodeWidthStr;

/// Text held in memory before the rows move to a file.
const IN_MEMORY: usize = 4 << 20;

/// A table being filled.
pub struct Rows {
    header: Vec<String>,
    /// Display width of each column so far.
    widths: Vec<usize>,
    mem: Vec<Vec<String>>,
    mem_bytes: usize,
    spill: Option<BufWriter<File>>,
    count: usize,
    limit: usize,
    /// Fit the table to this many columns (wrapping cells); `None`: as wide as its cells.
    width: Option<usize>,
}

impl Rows {
    /// Rows under `header` that move to a temporary file past 4 MiB of text.
    pub fn new<S: AsRef<str>>(header: &[S]) -> Rows {
        Rows::with_limit(header, IN_MEMORY)
    }

    /// Rows that move to a file past `limit` bytes of text.
    pub fn with_limit<S: AsRef<str>>(header: &[S], limit: usize) -> Rows {
        Rows {
            header: header.iter().map(|h| h.as_ref().to_string()).collect(),
            widths: header.iter().map(|h| h.as_ref().width()).collect(),
            mem: Vec::new(),
            mem_bytes: 0,
            spill: None,
            count: 0,
            limit,
            width: None,
        }
    }

    /// Fits the table to `width` columns when drawn (a terminal's width), wrapping cells.
    pub fn fit(mut self, width: Option<usize>) -> Rows {
        self.width = width;
        self
    }

    /// True when no row was added.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Adds a row (as many cells as the header).
    pub fn push(&mut self, row: Vec<String>) -> io::Result<()> {
        for (w, cell) in self.widths.iter_mut().zip(&row) {
            *w = (*w).max(cell_width(cell));
        }
        self.count += 1;
        if self.spill.is_none() && self.mem_bytes >= self.limit {
            let mut file = BufWriter::new(tempfile::tempfile()?);
            for r in self.mem.drain(..) {
                write_row(&mut file, &r)?;
            }
            self.mem_bytes = 0;
            self.spill = Some(file);
        }
        match &mut self.spill {
            Some(file) => write_row(file, &row),
            None => {
                // What the row really takes: each cell's heap block and its String, and
                // the row's own Vec.
                self.mem_bytes +=
                    24 + row.capacity() * 24 + row.iter().map(|c| c.capacity()).sum::<usize>();
                self.mem.push(row);
                Ok(())
            }
        }
    }

    /// Draws the table.
    pub fn write(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if let Some(w) = self.width
            && self.natural_width() > w
        {
            return self.write_records(out, w);
        }
        let Some(file) = self.spill.take() else {
            let mut t = Table::new();
            t.load_style(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header(self.header.clone());
            for r in self.mem.drain(..) {
                t.add_row(r);
            }
            return writeln!(out, "{t}");
        };
        let mut file = file.into_inner().map_err(|e| e.into_error())?;
        file.seek(io::SeekFrom::Start(0))?;
        let mut rows = BufReader::new(file);
        let line = |l: char, fill: char, mid: char, r: char, widths: &[usize]| {
            let cells: Vec<String> = widths
                .iter()
                .map(|w| fill.to_string().repeat(w + 2))
                .collect();
            format!("{l}{}{r}", cells.join(&mid.to_string()))
        };
        writeln!(out, "{}", line('┌', '─', '┬', '┐', &self.widths))?;
        self.draw_row(out, &self.header)?;
        writeln!(out, "{}", line('╞', '═', '╪', '╡', &self.widths))?;
        for _ in 0..self.count {
            let row = read_row(&mut rows, self.widths.len())?;
            self.draw_row(out, &row)?;
        }
        writeln!(out, "{}", line('└', '─', '┴', '┘', &self.widths))
    }

    /// Columns the table takes drawn as a table: each cell padded by a space on both sides,
    /// one border between cells and at both ends.
    fn natural_width(&self) -> usize {
        self.widths.iter().map(|w| w + 3).sum::<usize>() + 1
    }

    /// A table too wide for the terminal, drawn as one record per row (as psql's expanded
    /// display): a title with the first cell, then a `name  value` line per other cell.
    fn write_records(&mut self, out: &mut dyn Write, width: usize) -> io::Result<()> {
        let mut rows: Box<dyn Iterator<Item = io::Result<Vec<String>>>> = match self.spill.take() {
            None => Box::new(std::mem::take(&mut self.mem).into_iter().map(Ok)),
            Some(file) => {
                let mut file = file.into_inner().map_err(|e| e.into_error())?;
                file.seek(io::SeekFrom::Start(0))?;
                let mut file = BufReader::new(file);
                let n = self.widths.len();
                Box::new((0..self.count).map(move |_| read_row(&mut file, n)))
            }
        };
        // A number column (`#`) after the first belongs in the title: `session 1 · # 2`.
        let in_title = if self.header.get(1).is_some_and(|h| h == "#") {
            2
        } else {
            1
        };
        let names = self
            .header
            .iter()
            .skip(in_title)
            .map(|h| h.width())
            .max()
            .unwrap_or(0);
        rows.try_for_each(|row| {
            let row = row?;
            let title: Vec<String> = self
                .header
                .iter()
                .zip(&row)
                .take(in_title)
                .map(|(name, cell)| format!("{name} {cell}"))
                .collect();
            let title = format!("─[ {} ]", title.join(" · "));
            let rule = width.saturating_sub(title.width()).min(20);
            writeln!(out, "{title}{}", "─".repeat(rule))?;
            for (name, cell) in self.header.iter().zip(&row).skip(in_title) {
                let pad = names.saturating_sub(name.width());
                let line = format!("  {name}{}  {cell}", " ".repeat(pad));
                writeln!(out, "{}", line.trim_end())?;
            }
            Ok(())
        })
    }

    fn draw_row(&self, out: &mut dyn Write, cells: &[String]) -> io::Result<()> {
        out.write_all("│".as_bytes())?;
        for (i, (cell, w)) in cells.iter().zip(&self.widths).enumerate() {
            if i > 0 {
                out.write_all("┆".as_bytes())?;
            }
            let pad = w.saturating_sub(cell_width(cell));
            write!(out, " {cell}{} ", " ".repeat(pad))?;
        }
        writeln!(out, "│")
    }
}

/// The width a cell takes on a terminal, as `comfy-table` measures it.
fn cell_width(s: &str) -> usize {
    s.width()
}

fn write_row(out: &mut dyn Write, row: &[String]) -> io::Result<()> {
    for cell in row {
        out.write_all(&(cell.len() as u32).to_le_bytes())?;
        out.write_all(cell.as_bytes())?;
    }
    Ok(())
}

fn read_row(input: &mut dyn Read, cells: usize) -> io::Result<Vec<String>> {
    let mut row = Vec::with_capacity(cells);
    for _ in 0..cells {
        let mut len = [0u8; 4];
        input.read_exact(&mut len)?;
        let mut bytes = vec![0u8; u32::from_le_bytes(len) as usize];
        input.read_exact(&mut bytes)?;
        row.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawn(limit: usize, rows: &[Vec<String>]) -> String {
        let mut t = Rows::with_limit(&["session", "client", "why"], limit);
        for r in rows {
            t.push(r.clone()).unwrap();
        }
        assert_eq!(t.spill.is_some(), limit == 0 && !rows.is_empty());
        let mut out = Vec::new();
        t.write(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_table_too_wide_becomes_records_from_memory_and_from_its_file() {
        let rows: Vec<Vec<String>> = (0..3)
            .map(|i| vec![i.to_string(), format!("10.0.0.{i}:4000{i}"), "x".repeat(60)])
            .collect();
        let records = |limit: usize, width: usize| {
            let mut t = Rows::with_limit(&["session", "client", "why"], limit).fit(Some(width));
            for r in &rows {
                t.push(r.clone()).unwrap();
            }
            let mut out = Vec::new();
            t.write(&mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let text = records(usize::MAX, 60);
        assert!(text.starts_with("─[ session 0 ]"), "{text}");
        assert!(text.contains("\n  client  10.0.0.2:40002\n"), "{text}");
        assert_eq!(text, records(0, 60), "the same from the file");
        // Wide enough: the table itself.
        assert_eq!(records(usize::MAX, 200), drawn(usize::MAX, &rows));
    }

    #[test]
    fn a_table_drawn_from_its_file_is_the_table_comfy_table_draws() {
        let rows: Vec<Vec<String>> = (0..40)
            .map(|i| {
                vec![
                    i.to_string(),
                    format!("10.0.0.{i}:{}", 40000 + i * 7),
                    ["x → y", "", "ünïcödé …", "文件名", "200 µs"][i % 5].to_string(),
                ]
            })
            .collect();
        assert_eq!(drawn(0, &rows), drawn(usize::MAX, &rows));
        assert_eq!(drawn(0, &rows[..1]), drawn(usize::MAX, &rows[..1]));
    }
}
