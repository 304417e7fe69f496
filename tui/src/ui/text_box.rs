//! How a multi-line box draws: its text wrapped at spaces to the box's
//! width (a word longer than the width is cut), scrolled so the cursor
//! shows. `tui-textarea` keeps the text and edits it; it does not wrap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_textarea::TextArea;

/// Where each screen row of one line starts and ends, in characters.
fn rows_of(line: &[char], width: usize) -> Vec<(usize, usize)> {
    let mut rows = Vec::new();
    let mut start = 0;
    while line.len() - start > width {
        let end = start + width;
        // Break after the last space that fits, else cut the word.
        let cut = line[start..end]
            .iter()
            .rposition(|c| *c == ' ')
            .map_or(end, |space| start + space + 1);
        rows.push((start, cut));
        start = cut;
    }
    rows.push((start, line.len()));
    rows
}

/// The screen rows of `lines` wrapped to `width`, and the row and column of
/// the cursor at (`row`, `col`) of the text.
pub fn wrap(
    lines: &[String],
    width: usize,
    (row, col): (usize, usize),
) -> (Vec<String>, (usize, usize)) {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut cursor = (0, 0);
    for (i, line) in lines.iter().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let rows = rows_of(&chars, width);
        let last = rows.len() - 1;
        for (r, &(start, end)) in rows.iter().enumerate() {
            let here = col >= start && (col < end || r == last);
            if i == row && here {
                cursor = (out.len(), col - start);
            }
            out.push(chars[start..end].iter().collect());
        }
        // A cursor after a full last row goes to the start of the next.
        if i == row && cursor.1 >= width {
            out.push(String::new());
            cursor = (out.len() - 1, 0);
        }
    }
    (out, cursor)
}

/// Draws `text` in `area`, the cursor shown when `focused`.
pub fn render(frame: &mut Frame, area: Rect, text: &TextArea, focused: bool, style: Style) {
    let height = usize::from(area.height);
    if height == 0 {
        return;
    }
    let (rows, (cursor_row, cursor_col)) =
        wrap(text.lines(), usize::from(area.width), text.cursor());
    let top = (cursor_row + 1).saturating_sub(height);
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(top)
        .take(height)
        .map(|(i, row)| {
            if !focused || i != cursor_row {
                return Line::styled(row.clone(), style);
            }
            let before: String = row.chars().take(cursor_col).collect();
            let at: String = row.chars().nth(cursor_col).map_or(" ".into(), String::from);
            let after: String = row.chars().skip(cursor_col + 1).collect();
            Line::from(vec![
                Span::styled(before, style),
                Span::styled(at, style.add_modifier(Modifier::REVERSED)),
                Span::styled(after, style),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        let (rows, _) = wrap(&lines("the printer jams often\nabcdefghij"), 10, (0, 0));
        assert_eq!(rows, ["the ", "printer ", "jams often", "abcdefghij"]);
        let (rows, _) = wrap(&lines("abcdefghijkl"), 5, (0, 0));
        assert_eq!(rows, ["abcde", "fghij", "kl"]);
    }

    #[test]
    fn the_cursor_follows_the_wrapped_rows() {
        let text = lines("the printer jams\nok");
        assert_eq!(wrap(&text, 10, (0, 5)).1, (1, 1));
        assert_eq!(wrap(&text, 10, (0, 16)).1, (2, 4));
        assert_eq!(wrap(&text, 10, (1, 2)).1, (3, 2));
        // At the end of a full row the cursor starts the next one.
        let (rows, cursor) = wrap(&lines("abcde"), 5, (0, 5));
        assert_eq!((rows.len(), cursor), (2, (1, 0)));
    }
}
