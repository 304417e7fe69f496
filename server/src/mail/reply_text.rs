//! The new text of an e-mail reply: what the client wrote, without the
//! quoted history their mail program appends or the signature below it
//! (docs/MAIL.md, "Replies by e-mail").

/// The line put at the top of ticket mail that may be answered by e-mail;
/// whatever a reply quotes from that line on is history.
pub const REPLY_ABOVE: &str = "## Reply above this line to add to the ticket ##";

/// `text` cut at the first line where quoted history or a signature
/// begins, with trailing quoted lines and blank lines removed.
pub fn new_text(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let end = (0..lines.len())
        .find(|&i| history_starts(&lines, i))
        .unwrap_or(lines.len());
    let mut kept = &lines[..end];
    while let Some((last, rest)) = kept.split_last() {
        let last = last.trim();
        if last.is_empty() || last.starts_with('>') {
            kept = rest;
        } else {
            break;
        }
    }
    kept.join("\n").trim_start_matches('\n').to_owned()
}

/// Whether quoted history or a signature begins at line `i`.
fn history_starts(lines: &[&str], i: usize) -> bool {
    let line = lines[i].trim_start_matches(['>', ' ']).trim_end();
    let next = lines.get(i + 1).map_or("", |l| l.trim());
    line.contains(REPLY_ABOVE)
        // "-- " is the standard signature separator (RFC 3676).
        || line == "--"
        || lines[i] == "-- "
        || line.starts_with("Sent from my ")
        || line.starts_with("-----Original Message-----")
        || (line.len() >= 20 && line.chars().all(|c| c == '_'))
        // "On Tue, 1 Dec 2026, Someone <a@b> wrote:", perhaps over two lines.
        || (line.starts_with("On ") && (line.ends_with("wrote:") || next.ends_with("wrote:")))
        // An Outlook-style header block: "From:" then "Sent:" or "Date:".
        || (line.starts_with("From:")
            && lines[i + 1..]
                .iter()
                .take(4)
                .any(|l| l.starts_with("Sent:") || l.starts_with("Date:")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quoted_history_after_a_wrote_line_is_cut() {
        let mail = "Thanks, that fixed it.\r\n\r\nOn Tue, 1 Dec 2026 at 10:02, Service Desk\r\n\
                    <desk@msp.example> wrote:\r\n> Please try again.\r\n> -- \r\n";
        assert_eq!(new_text(mail), "Thanks, that fixed it.");
    }

    #[test]
    fn the_marker_outlook_blocks_and_signatures_end_the_text() {
        let marker = format!("Yes please.\n\n> {REPLY_ABOVE}\n> Ticket #4");
        assert_eq!(new_text(&marker), "Yes please.");
        let outlook = "Done.\n\nFrom: Desk <desk@msp.example>\nSent: Tuesday\nSubject: x";
        assert_eq!(new_text(outlook), "Done.");
        let original = "Done.\n-----Original Message-----\nFrom: a";
        assert_eq!(new_text(original), "Done.");
        let signed = "Line one\nLine two\n-- \nJo Smith\nAccounts";
        assert_eq!(new_text(signed), "Line one\nLine two");
        let phone = "OK\n\nSent from my phone";
        assert_eq!(new_text(phone), "OK");
    }

    #[test]
    fn inline_answers_between_quotes_are_kept() {
        let mail =
            "> Which printer?\nThe one on floor 2.\n> Since when?\nMonday.\n\n> old\n> older";
        assert_eq!(
            new_text(mail),
            "> Which printer?\nThe one on floor 2.\n> Since when?\nMonday."
        );
    }

    #[test]
    fn a_text_of_nothing_but_history_is_empty() {
        assert_eq!(new_text("On Monday, Desk wrote:\n> hi"), "");
        assert_eq!(new_text(""), "");
    }

    proptest! {
        #[test]
        fn the_new_text_is_a_prefix_of_the_lines(text in "[a-z>\\- \n]{0,200}") {
            let kept = new_text(&text);
            let normalised: String = text.lines().collect::<Vec<_>>().join("\n");
            prop_assert!(normalised.trim_start_matches('\n').starts_with(&kept));
        }
    }
}
