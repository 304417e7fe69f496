//! Texts a command sends (a reply, a description) and the sign-in's
//! prompts: from an argument, a file, stdin or the user's editor. Prompts go
//! to stderr.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::Path;

use super::exit::Failure;
use crate::{editor, local_files};

/// Where a text comes from, as the command line said.
pub struct Source<'a> {
    /// `-m TEXT`.
    pub text: Option<&'a str>,
    /// `-F FILE` / `--description FILE`; `-` is stdin.
    pub file: Option<&'a Path>,
    /// `--edit`: open the editor even without a terminal.
    pub edit: bool,
}

/// The text, read from its source; with none given, the editor
/// (`$VISUAL`, `$EDITOR`, else `vi`) opens on a terminal and stdin is read
/// otherwise. An empty text is refused, naming `field`.
pub fn read(source: &Source<'_>, field: &str) -> Result<String, Failure> {
    let text = match (source.text, source.file) {
        (Some(text), _) => text.to_owned(),
        (None, Some(path)) if path == Path::new("-") => stdin_all()?,
        (None, Some(path)) => {
            local_files::check()?;
            std::fs::read_to_string(path).map_err(|e| Failure::io(path, &e))?
        }
        (None, None) if source.edit || std::io::stdin().is_terminal() => {
            local_files::check()?;
            editor::edit("").map_err(|e| Failure::other(format!("the editor: {e}")))?
        }
        (None, None) => stdin_all()?,
    };
    if text.trim().is_empty() {
        return Err(Failure::invalid(field, "is empty, so nothing was sent"));
    }
    Ok(text)
}

fn stdin_all() -> Result<String, Failure> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Failure::other(format!("reading stdin: {e}")))?;
    Ok(text)
}

/// One line from stdin, without its line end (`--password-stdin`).
pub fn stdin_line() -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::other(format!("reading stdin: {e}")))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

/// Asks on stderr and reads a line from the terminal.
pub fn prompt(question: &str) -> Result<String, Failure> {
    eprint!("{question}: ");
    let _ = std::io::stderr().flush();
    stdin_line()
}

/// Asks on stderr and reads a line without echoing it (a password).
pub fn secret(question: &str) -> Result<String, Failure> {
    use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    eprint!("{question}: ");
    let _ = std::io::stderr().flush();
    let raw = |e: std::io::Error| Failure::other(format!("the terminal: {e}"));
    crossterm::terminal::enable_raw_mode().map_err(raw)?;
    let mut secret = String::new();
    let read = loop {
        match event::read() {
            Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => match key.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err(Failure::other("cancelled"));
                }
                KeyCode::Char(c) => secret.push(c),
                KeyCode::Backspace => {
                    secret.pop();
                }
                _ => {}
            },
            Ok(_) => {}
            Err(e) => break Err(raw(e)),
        }
    };
    let _ = crossterm::terminal::disable_raw_mode();
    eprintln!();
    read.map(|()| secret)
}
