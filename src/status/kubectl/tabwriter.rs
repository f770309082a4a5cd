//! Go's `text/tabwriter`, as kubectl drives it: cells end at a tab, a column
//! is padded to its widest cell in a block of consecutive lines that have a
//! cell in it, and the text after a line's last tab belongs to no column.
//!
//! kubectl's alignment comes from this algorithm, not from fixed widths, so
//! it is ported as Go writes it (`format`/`writeLines`), for the one setting
//! kubectl uses: left-aligned, padded with spaces, no flags. Widths count
//! characters, as Go counts runes. It does not escape anything; the callers
//! do.

/// A tab-separated text aligned: each tab-terminated cell padded with spaces
/// to its column's width, which is at least `min_width` and at least the
/// widest cell of the column's block plus `padding`.
pub(crate) fn align(text: &str, min_width: usize, padding: usize) -> String {
    let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut writer = Writer {
        lines: &lines,
        min_width,
        padding,
        widths: Vec::new(),
        out: String::with_capacity(text.len() * 2),
    };
    writer.format(0, lines.len());
    writer.out
}

struct Writer<'a> {
    lines: &'a [Vec<&'a str>],
    min_width: usize,
    padding: usize,
    /// The widths of the columns to the left of the one being formatted.
    widths: Vec<usize>,
    out: String,
}

fn width(cell: &str) -> usize {
    cell.chars().count()
}

impl Writer<'_> {
    /// Go's `format`: finds the blocks of lines that have a cell in the
    /// current column, sizes the column per block, and recurses for the
    /// columns to its right.
    fn format(&mut self, mut line0: usize, line1: usize) {
        let column = self.widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 >= self.cells(this) {
                this += 1;
                continue;
            }
            self.write_lines(line0, this);
            line0 = this;
            let mut column_width = self.min_width;
            while this < line1 && column + 1 < self.cells(this) {
                let cell = self.lines[this].get(column).copied().unwrap_or_default();
                column_width = column_width.max(width(cell) + self.padding);
                this += 1;
            }
            self.widths.push(column_width);
            self.format(line0, this);
            self.widths.pop();
            line0 = this;
        }
        self.write_lines(line0, line1);
    }

    fn cells(&self, line: usize) -> usize {
        self.lines.get(line).map_or(0, Vec::len)
    }

    /// Go's `writeLines`: every cell but the last padded to its column; a
    /// newline after every line but the text's last (unterminated) one.
    fn write_lines(&mut self, line0: usize, line1: usize) {
        for i in line0..line1 {
            let Some(line) = self.lines.get(i) else {
                continue;
            };
            for (j, cell) in line.iter().enumerate() {
                self.out.push_str(cell);
                if let Some(&w) = self.widths.get(j) {
                    let pad = w.saturating_sub(width(cell));
                    self.out.extend(std::iter::repeat_n(' ', pad));
                }
            }
            if i + 1 < self.lines.len() {
                self.out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::align;

    #[test]
    fn columns_are_sized_per_block_and_the_last_cell_is_free() {
        let text = "a\tbb\tc\nlonger\tb\tc\nno tab here\nx\ty\n";
        let want = "a       bb  c\nlonger  b   c\nno tab here\nx  y\n";
        assert_eq!(align(text, 0, 2), want);
    }

    #[test]
    fn min_width_counts_the_padding() {
        assert_eq!(align("AB\tC\n", 6, 3), "AB    C\n");
        assert_eq!(align("ABCD\tC\n", 6, 3), "ABCD   C\n");
    }

    #[test]
    fn empty_cells_are_padded_and_continuation_lines_align() {
        let text = "Labels:\tapp=web\n\ttier=db\nIP:\t\n";
        let want = "Labels:  app=web\n         tier=db\nIP:      \n";
        assert_eq!(align(text, 0, 2), want);
    }
}
