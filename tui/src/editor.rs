//! Ctrl-E: edit a text in `$VISUAL` / `$EDITOR` (else `vi`).

use std::io::Write;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Runs the user's editor on `text` and returns what was saved. The caller
/// has given the terminal to the editor first.
pub fn edit(text: &str) -> Result<String, String> {
    crate::local_files::check()?;
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_owned());
    edit_with(&editor, text)
}

/// `editor` may carry arguments, e.g. `code --wait`.
pub fn edit_with(editor: &str, text: &str) -> Result<String, String> {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("portal-{}-{n}.md", std::process::id()));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| e.to_string())?;
        file.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
        drop(file);
        let mut parts = editor.split_whitespace();
        let program = parts.next().unwrap_or("vi");
        let status = Command::new(program)
            .args(parts)
            .arg(&path)
            .status()
            .map_err(|e| format!("{program}: {e}"))?;
        if !status.success() {
            return Err(format!(
                "{program} failed ({status}); the text is unchanged"
            ));
        }
        std::fs::read_to_string(&path).map_err(|e| e.to_string())
    })();
    let _ = std::fs::remove_file(&path);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_what_the_editor_saved() {
        assert_eq!(
            edit_with("sed -i s/printer/scanner/", "the printer jams").as_deref(),
            Ok("the scanner jams")
        );
    }

    #[test]
    fn a_failing_editor_is_an_error() {
        assert!(edit_with("false", "text").is_err());
    }
}
