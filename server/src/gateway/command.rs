//! What an SSH exec request may run: the `portal` command line's own
//! commands (`ssh portal.example tickets list --json`), split like a shell
//! would split words but never given to a shell. Flags that would point the
//! client elsewhere or at the server machine's files are refused.

/// Flags the gateway sets itself or that name the server machine's files.
const REFUSED_FLAGS: [&str; 5] = ["--server", "--ca", "--config", "--demo", "--demo-as"];

/// The words of `command`, or why they cannot run here.
pub fn words(command: &[u8]) -> Result<Vec<String>, String> {
    let text = std::str::from_utf8(command).map_err(|_| "the command is not UTF-8".to_owned())?;
    let words = split(text)?;
    let Some(first) = words.first() else {
        return Err("no command given".into());
    };
    if first.starts_with('-') && !matches!(first.as_str(), "--help" | "-h" | "--version" | "-V") {
        return Err(format!(
            "{first}: give a command first, e.g. `tickets list`"
        ));
    }
    if let Some(flag) = words.iter().find(|w| {
        REFUSED_FLAGS
            .iter()
            .any(|f| *w == f || w.starts_with(&format!("{f}=")))
    }) {
        return Err(format!(
            "{flag} is set by the gateway and cannot be given here"
        ));
    }
    Ok(words)
}

/// Splits on whitespace; single and double quotes group, a backslash
/// escapes the next character (outside single quotes).
fn split(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => word.get_or_insert_default().push(c),
            (_, '\\') => {
                let next = chars.next().ok_or("a lone \\ at the end")?;
                word.get_or_insert_default().push(next);
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_default();
            }
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (_, c) => word.get_or_insert_default().push(c),
        }
    }
    if quote.is_some() {
        return Err("a quote is not closed".into());
    }
    words.extend(word);
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn words_split_like_a_shell_without_one() {
        assert_eq!(
            words(br#"tickets new -m "Printer down" --title 'It is; $(rm -rf /)'"#).unwrap(),
            [
                "tickets",
                "new",
                "-m",
                "Printer down",
                "--title",
                "It is; $(rm -rf /)"
            ]
        );
        assert_eq!(
            words(br"tickets show 5\ 0").unwrap(),
            ["tickets", "show", "5 0"]
        );
        assert_eq!(words(b"tickets ''").unwrap(), ["tickets", ""]);
    }

    #[test]
    fn flags_that_point_elsewhere_are_refused() {
        for bad in [
            "tickets list --server http://evil:1",
            "tickets list --server=http://evil:1",
            "--config /etc/shadow tickets list",
            "tickets list --ca /etc/ssl/key.pem",
            "--demo",
            "",
            "   ",
            "tickets 'open",
        ] {
            assert!(words(bad.as_bytes()).is_err(), "{bad}");
        }
        assert!(words(&[0xff, 0xfe]).is_err());
    }
}
